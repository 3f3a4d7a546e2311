// libgd (Debian: libgd-dev): PNG and GIF writing, drawing, FreeType text.
#include <gd.h>
#include <gdfontl.h>
#include <gdfonts.h>
#include <gdfontg.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

// libgd prints its (and libpng's) complaints to stderr as "GD Warning: ..." lines, before the
// caller can say which file failed. While gen decodes a PNG it keeps them instead (joined by
// "; ") and puts them into its own one-line error.
static inline char *gen_gd_complaint(void) {
    static char kept[256];
    return kept;
}
static void gen_gd_keep_first(int priority, const char *format, va_list arguments) {
    (void)priority;
    char *kept = gen_gd_complaint();
    size_t used = strlen(kept);
    if (used + 3 >= 256) return;
    if (used > 0) { strcpy(kept + used, "; "); used += 2; }
    vsnprintf(kept + used, 256 - used, format, arguments);
    size_t end = strlen(kept);
    while (end > 0 && (kept[end - 1] == '\n' || kept[end - 1] == ' ')) kept[--end] = 0;
}
static inline void gen_gd_start_keeping_complaints(void) {
    gen_gd_complaint()[0] = 0;
    gdSetErrorMethod(gen_gd_keep_first);
}
// The complaints kept since the start, and libgd's own printing back for everything else.
static inline const char *gen_gd_stop_keeping_complaints(void) {
    gdClearErrorMethod();
    return gen_gd_complaint();
}
