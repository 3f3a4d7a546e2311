// libgd (Debian: libgd-dev): PNG and GIF writing, drawing, FreeType text.
#include <gd.h>
#include <gdfontl.h>
#include <gdfonts.h>
#include <gdfontg.h>
