#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer, which
/// Swift cannot import: this hands it over as a value.
static inline sqlite3_destructor_type cellar_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}
