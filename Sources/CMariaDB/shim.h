#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

/* mysql_optionsv is variadic, which Swift cannot call: these wrappers pass one typed argument. */
static inline int quickup_mysql_option_uint(MYSQL *mysql, enum mysql_option option, unsigned int value) {
    return mysql_optionsv(mysql, option, &value);
}

static inline int quickup_mysql_option_bool(MYSQL *mysql, enum mysql_option option, my_bool value) {
    return mysql_optionsv(mysql, option, &value);
}

static inline int quickup_mysql_option_string(MYSQL *mysql, enum mysql_option option, const char *value) {
    return mysql_optionsv(mysql, option, value);
}
