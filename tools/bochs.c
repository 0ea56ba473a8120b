/*
 * tools/bochs.c: the Bochs configuration of a run, and the bare guest's
 * exit line (bochs.h). Runs on: host.
 */
#define _GNU_SOURCE
#include "tools/bochs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guests/lib/guest_exit.h"
#include "lib/exit_status.h"

char *tv_bochsrc(const struct tv_bochs_config *cfg)
{
	char *s = NULL;
	char cpu[160] = "";

	if (cfg->cpu_model)
		snprintf(cpu, sizeof(cpu), ", model=%s", cfg->cpu_model);
	if (asprintf(&s,
		     "# A trapvisor run on Bochs.\n"
		     "megs: %u\n"
		     "romimage: file=%s/BIOS-bochs-latest\n"
		     "vgaromimage: file=%s/VGABIOS-lgpl-latest\n"
		     "ata0-master: type=cdrom, path=%s, status=inserted\n"
		     "boot: cdrom\n"
		     /* Headless: the VNC display is the one Debian builds that waits for nobody. */
		     "display_library: rfb, options=\"timeout=0\"\n"
		     "com1: enabled=1, mode=file, dev=/dev/fd/3\n"
		     /* Without these Bochs aborts on a machine with no sound device. */
		     "speaker: enabled=0\n"
		     "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy\n"
		     /*
		      * Time by instruction count, so a run is the same run each time,
		      * at 50 million instructions a guest second: a slow PC's pace,
		      * where Bochs's default of 4 million leaves a guest with a
		      * 1 kHz timer little time between two ticks.
		      */
		     "clock: sync=none, time0=946684800\n"
		     "cpu: ips=50000000%s\n"
		     "log: %s\n"
		     "panic: action=fatal\n"
		     "error: action=report\n"
		     "info: action=ignore\n"
		     "debug: action=ignore\n",
		     cfg->megs, cfg->bios_dir, cfg->bios_dir, cfg->iso_path, cpu, cfg->log_path) < 0)
		return NULL;
	return s;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int bad = fputs(text, f) < 0;
	return fclose(f) != 0 || bad ? -1 : 0;
}

int tv_bochs_prepare(const struct tv_boot_spec *spec, unsigned megs, const char *cpu_model,
		     const char *work_dir, char *rc, char *cmds, size_t size, char *err,
		     size_t errlen)
{
	char iso[PATH_MAX + 16], log[PATH_MAX + 16];
	struct stat sb;

	if (stat(TV_BOCHS_BIOS_DIR "/BIOS-bochs-latest", &sb) < 0 ||
	    stat(TV_BOCHS_BIOS_DIR "/VGABIOS-lgpl-latest", &sb) < 0) {
		snprintf(err, errlen, "Bochs's BIOS images are missing in " TV_BOCHS_BIOS_DIR
			 " (install the Debian packages bochsbios and vgabios)");
		return TV_STATUS_USAGE;
	}
	snprintf(iso, sizeof(iso), "%s/boot.iso", work_dir);
	int status = tv_boot_image_make(spec, work_dir, iso, err, errlen);
	if (status != 0)
		return status;
	snprintf(log, sizeof(log), "%s/bochs.log", work_dir);
	struct tv_bochs_config bc = {
		.megs = megs, .iso_path = iso, .log_path = log, .cpu_model = cpu_model,
		.bios_dir = TV_BOCHS_BIOS_DIR,
	};
	char *text = tv_bochsrc(&bc);
	snprintf(rc, size, "%s/bochsrc", work_dir);
	snprintf(cmds, size, "%s/debugger-commands", work_dir);
	if (!text || write_text(rc, text) < 0 || write_text(cmds, "c\n") < 0) {
		free(text);
		snprintf(err, errlen, "cannot write Bochs's configuration in %s", work_dir);
		return TV_STATUS_USAGE;
	}
	free(text);
	return 0;
}

int tv_bochs_guest_exit(const char *line, size_t len, long *status, size_t *prefix_len)
{
	static const char marker[] = GUEST_EXIT_LINE;
	const char *m = memmem(line, len, marker, sizeof(marker) - 1);

	if (!m)
		return 0;
	const char *p = m + sizeof(marker) - 1, *end = line + len;
	long v = 0;
	if (p == end)
		return 0;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9' || v > 1000000000L)
			return 0;
		v = v * 10 + (*p - '0');
	}
	*status = v;
	*prefix_len = (size_t)(m - line);
	return 1;
}
