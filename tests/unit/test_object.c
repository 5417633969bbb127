/*
 * test_object: string values and where they live. Small values are stored
 * inline in the key's entry, larger ones in their own allocation, integers
 * in the entry header; every path between those (overwrite, APPEND-style
 * growth through string_make_raw, RENAME through ks_unlink/ks_relink) must
 * keep the bytes and report Redis's OBJECT ENCODING (int, embstr up to 44
 * bytes, raw).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "engine/keyspace.h"
#include "engine/object.h"
#include "engine/sstr.h"

static struct db *db;

static void setup(void)
{
    ks_init(1);
    db = ks_db(0);
    ks_lock_all(db);
}

static void teardown(void)
{
    ks_unlock_all(db);
    ks_destroy();
}

static void check_value(const struct entry *e, const char *expected, size_t len)
{
    char buf[STRING_INT_BUF];
    size_t got_len;
    const char *got = string_bytes(e, buf, &got_len);
    ck_assert_uint_eq(got_len, len);
    ck_assert(memcmp(got, expected, len) == 0);
    ck_assert_uint_eq(string_length(e), len);
}

static struct entry *add_string(const char *key, const char *value, size_t len)
{
    struct entry *e =
        ks_add_sized(db, key, strlen(key), TYPE_STRING, len <= STRING_INLINE_MAX ? len : 0);
    string_set(e, value, len);
    return e;
}

START_TEST(test_small_values_inline)
{
    struct entry *e = add_string("k", "hello", 5);
    ck_assert(e->flags & ENTRY_INLINE_VALUE);
    ck_assert_int_eq(e->encoding, ENC_EMBSTR);
    check_value(e, "hello", 5);

    char big[STRING_INLINE_MAX];
    memset(big, 'x', sizeof(big));
    e = add_string("k64", big, sizeof(big));
    ck_assert(e->flags & ENTRY_INLINE_VALUE);
    ck_assert_int_eq(e->encoding, ENC_RAW); /* over 44 bytes reads as raw, as Redis */
    check_value(e, big, sizeof(big));

    e = add_string("empty", "", 0);
    check_value(e, "", 0);
}
END_TEST

START_TEST(test_large_and_binary_values)
{
    char big[1000];
    for (size_t i = 0; i < sizeof(big); i++) big[i] = (char)(i * 7);
    struct entry *e = add_string("big", big, sizeof(big));
    ck_assert(!(e->flags & ENTRY_INLINE_VALUE));
    ck_assert_int_eq(e->encoding, ENC_RAW);
    check_value(e, big, sizeof(big));

    e = add_string("bin", "a\0b\r\n", 5);
    check_value(e, "a\0b\r\n", 5);
}
END_TEST

START_TEST(test_integers)
{
    struct entry *e = add_string("n", "12345", 5);
    ck_assert_int_eq(e->encoding, ENC_INT);
    ck_assert(!(e->flags & ENTRY_INLINE_VALUE));
    check_value(e, "12345", 5);
    /* Not canonical: kept as text. */
    e = add_string("z", "012", 3);
    ck_assert_int_eq(e->encoding, ENC_EMBSTR);
    check_value(e, "012", 3);
    /* INCRBYFLOAT keeps a result such as "3" as text. */
    e = add_string("f", "x", 1);
    value_free(e);
    string_set_text(e, "3", 1);
    ck_assert_int_eq(e->encoding, ENC_EMBSTR);
    check_value(e, "3", 1);
}
END_TEST

/* Overwrites in every direction: inline -> bigger (own allocation) ->
 * smaller (inline again when it fits) -> integer -> text. */
START_TEST(test_overwrites)
{
    struct entry *e = add_string("k", "abc", 3);
    char big[300];
    memset(big, 'q', sizeof(big));
    value_free(e);
    string_set(e, big, sizeof(big));
    ck_assert(!(e->flags & ENTRY_INLINE_VALUE));
    check_value(e, big, sizeof(big));
    value_free(e);
    string_set(e, "xy", 2);
    ck_assert(e->flags & ENTRY_INLINE_VALUE);
    check_value(e, "xy", 2);
    value_free(e);
    string_set(e, "-77", 3);
    ck_assert_int_eq(e->encoding, ENC_INT);
    check_value(e, "-77", 3);
    value_free(e);
    string_set(e, "back to text", 12);
    check_value(e, "back to text", 12);
}
END_TEST

/* APPEND and SETRANGE turn the value into its own growable string. */
START_TEST(test_make_raw_keeps_bytes)
{
    struct entry *e = add_string("k", "inline", 6);
    struct sstr *s = string_make_raw(e);
    ck_assert(!(e->flags & ENTRY_INLINE_VALUE));
    ck_assert_int_eq(e->encoding, ENC_RAW);
    s = sstr_append(s, "+more", 5);
    e->v.ptr = s;
    check_value(e, "inline+more", 11);

    e = add_string("n", "42", 2);
    s = string_make_raw(e);
    s = sstr_append(s, "0", 1);
    e->v.ptr = s;
    check_value(e, "420", 3);
}
END_TEST

/* RENAME moves the entry under a new key: an inline value must follow. */
START_TEST(test_relink_moves_inline_value)
{
    add_string("old", "payload", 7);
    struct entry *e = ks_unlink(db, "old", 3);
    e = ks_relink(db, e, "a-much-longer-new-key-name", 26);
    ck_assert(e->flags & ENTRY_INLINE_VALUE);
    check_value(ks_peek(db, "a-much-longer-new-key-name", 26), "payload", 7);
    ck_assert_ptr_null(ks_peek(db, "old", 3));

    char big[500];
    memset(big, 'r', sizeof(big));
    add_string("old2", big, sizeof(big));
    e = ks_unlink(db, "old2", 4);
    e = ks_relink(db, e, "n", 1);
    check_value(e, big, sizeof(big));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("object");
    TCase *tc = tcase_create("strings");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_small_values_inline);
    tcase_add_test(tc, test_large_and_binary_values);
    tcase_add_test(tc, test_integers);
    tcase_add_test(tc, test_overwrites);
    tcase_add_test(tc, test_make_raw_keeps_bytes);
    tcase_add_test(tc, test_relink_moves_inline_value);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
