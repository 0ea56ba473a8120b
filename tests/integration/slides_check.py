#!/usr/bin/env python3
# tests/integration/slides_check.py: the deck of `trapvisor slides` checked
# as a person would see it. Runs on: host, under CTest (tests/integration/slides.cmake).
#
# usage: slides_check.py files DIR
#        slides_check.py numbers DIR       (also runs `demo` and `classify` for their verdicts)
#        slides_check.py screens DIR
#        slides_check.py same DIR_A DIR_B
#   files    every picture is well-formed XML (an <svg>), every table has its
#            markdown and a CSV whose rows all have the header's width, the
#            deck fetches nothing (no http(s) address but XML namespaces, no
#            <link>, <img> or @import), data.json reads as JSON;
#   numbers  the deck as headless Chromium shows it (--dump-dom, after its
#            script ran): each slide has its title and the numbers the
#            issue asks of it, and every number (<span class="num"
#            data-key=K>) reads what data.json holds at K; data.json's demo
#            verdicts equal those of an independent `demo --format json`,
#            its classify rows those of an independent `classify --format
#            json`, and the sets follow Popek and Goldberg's definitions;
#   screens  in one Chromium driven over its DevTools pipe, every slide
#            opened by its #id is the one the deck shows, its screenshot is
#            not blank (pixel variance), no two slides look the same, the
#            left arrow goes back a slide, n shows the speaker notes, and
#            printed the deck has one page a slide;
#   same     two decks (English and Norwegian) have the same slides, ids and
#            count, in the same order.
# The host program is $TRAPVISOR_HOST. Exit status: 0 passed, 1 a check
# failed, 2 wrong usage, 77 Chromium is not installed (CTest: skipped).
import base64
import csv
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser

SVG_NS = "{http://www.w3.org/2000/svg}"
TABLES = ["popf_demo", "classify", "popek_goldberg", "cures", "trap_path"]
PICTURES = ["rings", "popek_goldberg", "trap_path", "cures"]
# What each slide must show, by data.json's keys (the issue's list of slides).
REQUIRED = {
    "title": ["started", "wall_s"],
    "roles": ["trap.ring", "demo.runs.trap_and_emulate.traps"],
    "trap": ["trap.insn", "trap.eip", "trap.vec", "trap.cycles.entry_switch",
             "trap.cycles.emulate", "trap.cycles.exit_switch", "trap.cycles.handling",
             "cures.cli_sti/none.hv_cycles", "cures.cli_sti/none.native_cycles"],
    "popek": ["classify.counts.both", "classify.counts.sensitive", "classify.counts.silent",
              "umip_cured"],
    "popf": ["demo.experiments.irqsave_lost_update.cells.trap_and_emulate.detail",
             "demo.experiments.popf_clears_if.cells.trap_and_emulate.detail"],
    "cures": ["cures.pushf_popf/popf.ratio", "cures.pushf_popf/inline.ratio",
              "demo.runs.paravirt.by_insn.int", "umip_cured"],
    "kernel": ["kernel.naive.wall_s", "kernel.patched.wall_s", "kernel.patched.matched",
               "kernel.patched.screen.0"],
}
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    print("slides_check.py: chromium not found (Debian package chromium); skipped")
    sys.exit(77)


def browse(url, *flags):
    """Run headless Chromium on url with flags; its stdout."""
    with tempfile.TemporaryDirectory() as profile:
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", "--user-data-dir=" + profile, "--window-size=1280,720",
               *flags, url]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120)
        return r.stdout.decode("utf-8", "replace")


class Deck(HTMLParser):
    """The slides of a deck's DOM: id, classes, title, numbers."""

    def __init__(self):
        super().__init__()
        self.slides = []
        self.in_h2 = False
        self.num = None
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "slide" in (a.get("class") or "").split():
            self.slides.append({"id": a.get("id"), "class": a.get("class"), "title": "",
                                "nums": []})
        elif tag == "h2" and self.slides:
            self.in_h2 = True
        elif tag == "span" and "num" in (a.get("class") or "").split() and self.slides:
            self.num = [a.get("data-key"), ""]

    def handle_endtag(self, tag):
        if tag == "h2":
            self.in_h2 = False
        elif tag == "span" and self.num is not None:
            self.slides[-1]["nums"].append(tuple(self.num))
            self.num = None

    def handle_data(self, data):
        if self.in_h2:
            self.slides[-1]["title"] += data
        if self.num is not None:
            self.num[1] += data


def parse_deck(html):
    d = Deck()
    d.feed(html)
    return d.slides


def resolve(data, key):
    """data.json's value at a dotted key (array items by index); KeyError if none."""
    v = data
    # Keys may hold dots of their own only in their last part (an instruction's name has none).
    for part in key.split("."):
        if isinstance(v, list):
            v = v[int(part)]
        else:
            v = v[part]
    return v


def shown(v):
    """A value as the deck shows it: whole numbers whole, reals to two places."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "%.2f" % v
    return str(v)


def check_files(d):
    for name in PICTURES:
        path = os.path.join(d, name + ".svg")
        try:
            root = ET.parse(path).getroot()
            if root.tag != SVG_NS + "svg":
                fail("%s: the root element is %s, not svg" % (path, root.tag))
            if len(list(root.iter())) < 10:
                fail("%s: nearly empty" % path)
        except (OSError, ET.ParseError) as e:
            fail("%s: not well-formed XML: %s" % (path, e))
    for name in TABLES + (["kernel"] if os.path.exists(os.path.join(d, "kernel.csv")) else []):
        md = os.path.join(d, name + ".md")
        if not os.path.exists(md) or "|" not in open(md, encoding="utf-8").read():
            fail("%s: no markdown table" % md)
        path = os.path.join(d, name + ".csv")
        try:
            rows = list(csv.reader(open(path, encoding="utf-8", newline="")))
        except OSError as e:
            fail("%s: %s" % (path, e))
            continue
        if len(rows) < 2:
            fail("%s: no rows under the header" % path)
        for i, row in enumerate(rows):
            if len(row) != len(rows[0]):
                fail("%s: row %d has %d fields, the header %d" % (path, i + 1, len(row),
                                                                   len(rows[0])))
    html = open(os.path.join(d, "index.html"), encoding="utf-8").read()
    for bad in ("<link", "<img", "@import", "<iframe", "src=", "url(http"):
        if bad in html:
            fail("index.html holds %r: the deck must fetch nothing" % bad)
    for at in range(len(html)):
        at = html.find("http", at)
        if at < 0:
            break
        word = html[at:at + 40]
        if not word.startswith(("http://www.w3.org/", "https://www.w3.org/")):
            fail("index.html names an address: %s" % word)
            break
        at += 4
    json.load(open(os.path.join(d, "data.json"), encoding="utf-8"))


def same_value(text, v, lang):
    """Whether the deck's text shows data.json's value v. data.json keeps the
    guest's English sentences (a demo cell's detail); a deck in another
    language shows them translated, so there the same numbers in the same
    order must stand in a sentence that is not the English one."""
    if text == shown(v):
        return True
    if lang == "en" or not isinstance(v, str):
        return False
    digits = re.compile(r"[0-9]+(?:[.][0-9]+)?")
    return digits.findall(text) == digits.findall(v) and digits.findall(v) != []


def check_numbers(d):
    data = json.load(open(os.path.join(d, "data.json"), encoding="utf-8"))
    slides = parse_deck(browse("file://" + os.path.abspath(os.path.join(d, "index.html")),
                               "--dump-dom"))
    if not slides:
        fail("the DOM has no slides")
    active = [s["id"] for s in slides if "active" in (s["class"] or "").split()]
    if slides and active != [slides[0]["id"]]:
        fail("the script shows %s, not the first slide alone" % active)
    for s in slides:
        if not s["title"].strip():
            fail("slide %s has no title" % s["id"])
        if not s["nums"]:
            fail("slide %s shows no number of this run" % s["id"])
        keys = {k for k, _ in s["nums"]}
        for k in REQUIRED.get(s["id"], []):
            if k not in keys:
                fail("slide %s does not show %s" % (s["id"], k))
        for k, text in s["nums"]:
            try:
                v = resolve(data, k)
            except (KeyError, IndexError, ValueError, TypeError):
                fail("slide %s shows %r for %s, which data.json does not have" % (s["id"], text, k))
                continue
            if v is None or not same_value(text, v, data["lang"]):
                fail("slide %s shows %r for %s; data.json has %r" % (s["id"], text, k, v))
    if data["kernel"] is None and any(s["id"] == "kernel" for s in slides):
        fail("a kernel slide without --kernel")

    # The architecture's answer for the traced CLI: CPL 1 or 3 > IOPL 0, so #GP (13).
    t = data["trap"]
    if t["insn"] != "cli" or t["vec"] != 13 or t["action"] != "emulate" or t["ring"] != data["ring"]:
        fail("the traced trap is not a CLI raising #GP in ring %d and emulated: %r"
             % (data["ring"], t))
    # Patched to trap, PUSHF and POPF cost a trap each; the silent ones do not.
    cures = data["cures"]
    if not cures["pushf_popf/popf"]["hv_cycles"] > 10 * cures["pushf_popf/none"]["hv_cycles"]:
        fail("pushf_popf patched to trap is not far dearer than silent: %r" % cures)

    host = os.environ["TRAPVISOR_HOST"]
    ring = str(data["ring"])
    demo = json.loads(subprocess.run([host, "demo", "--format", "json", "--ring", ring,
                                      "--timeout", "120"], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, check=True).stdout)
    for e in demo["experiments"]:
        mine = data["demo"]["experiments"].get(e["name"])
        if mine is None:
            fail("data.json lacks the demo's experiment %s" % e["name"])
            continue
        for run, cell in e["cells"].items():
            m = mine["cells"][run]
            if (m["observed"], m["equal_to_bare"]) != (cell["observed"], cell["equal_to_bare"]):
                fail("demo %s %s: the deck has %s/%s, an independent demo %s/%s"
                     % (e["name"], run, m["observed"], m["equal_to_bare"], cell["observed"],
                        cell["equal_to_bare"]))
    cl = json.loads(subprocess.run([host, "classify", "--format", "json", "--ring", ring,
                                    "--timeout", "120"], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, check=True).stdout)
    rows = data["classify"]["rows"]
    for r in cl["rows"]:
        m = rows.get(r["name"])
        if m is None:
            fail("data.json lacks classify's row %s" % r["name"])
            continue
        silent = r["verdict"].startswith("SILENT")
        if (m["trapped"], m["silent"]) != (r["trapped"], silent):
            fail("classify %s: the deck has trapped=%s silent=%s, an independent classify %s %s"
                 % (r["name"], m["trapped"], m["silent"], r["trapped"], silent))
        # Popek and Goldberg: privileged is trapping; the catalog's controls are not sensitive.
        sensitive = r["category"] != "innocuous"
        want = {(True, True): "both", (True, False): "sensitive",
                (False, True): "privileged", (False, False): "neither"}[(sensitive, r["trapped"])]
        if m["set"] != want:
            fail("classify %s is in set %s, not %s" % (r["name"], m["set"], want))
    pg = open(os.path.join(d, "popek_goldberg.svg"), encoding="utf-8").read()
    for name in rows:
        if ">" + name.upper().replace("_", " ") + "<" not in pg:
            fail("popek_goldberg.svg does not place %s" % name)
    counts = data["classify"]["counts"]
    for key in ("both", "sensitive", "privileged", "neither"):
        if counts[key] != sum(1 for m in rows.values() if m["set"] == key):
            fail("classify.counts.%s does not count its rows" % key)


def png_pixels(path):
    """Width, height, channels and rows of an 8-bit, non-interlaced PNG."""
    raw = open(path, "rb").read()
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    at, idat = 8, b""
    while at < len(raw):
        n, kind = struct.unpack(">I4s", raw[at:at + 8])
        body = raw[at + 8:at + 8 + n]
        if kind == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + n
    if depth != 8 or interlace or colour not in (2, 6):
        raise ValueError("a PNG this check does not read")
    ch = 3 if colour == 2 else 4
    data, stride, prev, rows = zlib.decompress(idat), w * ch, bytearray(w * ch), []
    for y in range(h):
        f, line = data[y * (stride + 1)], bytearray(data[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0
            b, c = prev[i], prev[i - ch] if i >= ch else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, ch, rows


class Browser:
    """One headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4)."""

    def __init__(self):
        self.profile = tempfile.TemporaryDirectory()
        to_chrome, self.tx = os.pipe()
        self.rx, from_chrome = os.pipe()

        def fds():
            # Through fresh numbers first, so that neither end is closed by the other's dup2.
            a, b = os.dup(to_chrome), os.dup(from_chrome)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--no-first-run", "--user-data-dir=" + self.profile.name, "--remote-debugging-pipe",
             "about:blank"], preexec_fn=fds, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome)
        os.close(from_chrome)
        self.next_id, self.buf, self.session = 0, b"", None

    def call(self, method, params=None, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.tx, json.dumps(msg).encode() + b"\0")
        while True:
            while b"\0" not in self.buf:
                chunk = os.read(self.rx, 1 << 20)
                if not chunk:
                    raise OSError("chromium went away")
                self.buf += chunk
            line, self.buf = self.buf.split(b"\0", 1)
            reply = json.loads(line)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise OSError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})

    def open(self, url):
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False})
        self.call("Page.enable")
        self.call("Page.navigate", {"url": url})
        self.eval("new Promise(r => { const w = () => document.readyState === 'complete' ? "
                  "r(1) : setTimeout(w, 50); w(); })")

    def eval(self, expression):
        return self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                              "returnByValue": True})["result"].get("value")

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except OSError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.profile.cleanup()


def check_screens(d):
    ids = [s["id"] for s in parse_deck(open(os.path.join(d, "index.html"), encoding="utf-8").read())]
    seen = {}
    b = Browser()
    try:
        b.open("file://" + os.path.abspath(os.path.join(d, "index.html")))
        with tempfile.TemporaryDirectory() as tmp:
            for sid in ids:
                # As a person moves there: the address's #id, then the deck's own script.
                shown_id = b.eval("new Promise(r => { location.hash = '#%s'; "
                                  "setTimeout(() => r(document.querySelector('section.active')"
                                  ".id), 300); })" % sid)
                if shown_id != sid:
                    fail("slide %s: the deck shows %s instead" % (sid, shown_id))
                png = os.path.join(tmp, sid + ".png")
                data = b.call("Page.captureScreenshot", {"format": "png"})["data"]
                open(png, "wb").write(base64.b64decode(data))
                try:
                    w, h, ch, rows = png_pixels(png)
                except (OSError, ValueError) as e:
                    fail("slide %s: no screenshot: %s" % (sid, e))
                    continue
                grey = [sum(r[x * ch:x * ch + 3]) // 3 for r in rows[::4] for x in range(0, w, 4)]
                mean = sum(grey) / len(grey)
                sd = (sum((g - mean) ** 2 for g in grey) / len(grey)) ** 0.5
                print("slide %s: %dx%d, grey mean %.1f, deviation %.1f" % (sid, w, h, mean, sd))
                if sd < 8:
                    fail("slide %s looks blank (deviation %.1f)" % (sid, sd))
                key = bytes(grey)
                if key in seen:
                    fail("slides %s and %s look the same" % (seen[key], sid))
                seen[key] = sid
        # The keys a speaker uses: an arrow back, n for the notes.
        back = b.eval("new Promise(r => { document.dispatchEvent(new KeyboardEvent('keydown', "
                      "{key: 'ArrowLeft'})); r(document.querySelector('section.active').id); })")
        if len(ids) > 1 and back != ids[-2]:
            fail("the left arrow from the last slide shows %s, not %s" % (back, ids[-2]))
        notes = b.eval("new Promise(r => { document.dispatchEvent(new KeyboardEvent('keydown', "
                       "{key: 'n'})); r(getComputedStyle(document.querySelector("
                       "'section.active aside.notes')).display); })")
        if notes != "block":
            fail("the key n does not show the slide's notes (display %s)" % notes)
        # Printed, one page a slide.
        pdf = base64.b64decode(b.call("Page.printToPDF", {"preferCSSPageSize": True})["data"])
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        if pages != len(ids):
            fail("printed, the deck has %d pages for %d slides" % (pages, len(ids)))
    finally:
        b.close()


def check_same(a, b):
    ids = [[s["id"] for s in parse_deck(open(os.path.join(x, "index.html"),
                                              encoding="utf-8").read())] for x in (a, b)]
    if ids[0] != ids[1] or not ids[0]:
        fail("the decks differ in their slides: %s against %s" % (ids[0], ids[1]))
    langs = [json.load(open(os.path.join(x, "data.json"), encoding="utf-8"))["lang"] for x in (a, b)]
    if langs[0] == langs[1]:
        fail("both decks are in %s" % langs[0])


def main(argv):
    if len(argv) == 3 and argv[1] == "files":
        check_files(argv[2])
    elif len(argv) == 3 and argv[1] == "numbers":
        check_numbers(argv[2])
    elif len(argv) == 3 and argv[1] == "screens":
        check_screens(argv[2])
    elif len(argv) == 4 and argv[1] == "same":
        check_same(argv[2], argv[3])
    else:
        print(__doc__ or "usage: see the header of slides_check.py", file=sys.stderr)
        return 2
    print("%s: %d failed" % (argv[1], len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
