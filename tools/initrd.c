/*
 * tools/initrd.c: `--module` specifications and QEMU's -initrd text
 * (initrd.h). Runs on: host.
 */
#include "tools/initrd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tv_module_parse(char *spec, struct tv_module *mod, char *err, size_t errlen)
{
	char *comma = strchr(spec, ',');

	mod->path = spec;
	mod->string = "";
	if (comma) {
		*comma = '\0';
		mod->string = comma + 1;
	}
	if (!*mod->path) {
		snprintf(err, errlen, "--module needs a FILE before its ','");
		return -1;
	}
	/*
	 * One comma separates FILE from STRING; a second can only be a comma in
	 * the string, which QEMU would take as the start of another module.
	 */
	if (strchr(mod->string, ',')) {
		snprintf(err, errlen, "--module %s: the string must not contain ',' "
			 "(QEMU separates modules with commas)", mod->path);
		return -1;
	}
	return 0;
}

/* Append "PATH[ STRING]" to *buf, checking both. */
static int append_module(char **buf, size_t *len, const char *path, const char *string,
			 char *err, size_t errlen)
{
	if (strchr(path, ',')) {
		snprintf(err, errlen, "a module's path must not contain ',' "
			 "(QEMU separates modules with commas): %s", path);
		return -1;
	}
	if (strchr(path, ' ')) {
		snprintf(err, errlen, "a module's path must not contain spaces "
			 "(QEMU ends the path at the first space): %s", path);
		return -1;
	}
	if (string && strchr(string, ',')) {
		snprintf(err, errlen, "a module's string must not contain ',' "
			 "(QEMU separates modules with commas): %s", string);
		return -1;
	}
	size_t need = *len + (*len ? 1 : 0) + strlen(path) +
		      (string && *string ? 1 + strlen(string) : 0) + 1;
	char *p = realloc(*buf, need);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*buf = p;
	*len += (size_t)sprintf(p + *len, "%s%s%s%s", *len ? "," : "", path,
				string && *string ? " " : "", string && *string ? string : "");
	return 0;
}

char *tv_initrd_text(const char *first, const char *first_string,
		     const struct tv_module *mods, size_t nmods, char *err, size_t errlen)
{
	char *buf = calloc(1, 1);
	size_t len = 0;

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (first && append_module(&buf, &len, first, first_string, err, errlen) < 0)
		goto fail;
	for (size_t i = 0; i < nmods; i++)
		if (append_module(&buf, &len, mods[i].path, mods[i].string, err, errlen) < 0)
			goto fail;
	return buf;
fail:
	free(buf);
	return NULL;
}
