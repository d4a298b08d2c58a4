/* SPDX-License-Identifier: MIT */
/* JSON output shared by list and check. */
#ifndef SCPATCH_JSON_H
#define SCPATCH_JSON_H

/* Prints S as a JSON string on stdout (null when S is NULL).  Names come
 * from symbol tables, DWARF and the command line in any encoding: bytes
 * that are not UTF-8 become U+FFFD so that the document parses. */
void json_string(const char *s);

#endif
