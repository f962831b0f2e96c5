/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nft listings compared for drift: the text of `nft list table` in a canonical form, in
 * which two listings of the same rules are equal however nft spaced, wrapped or ordered
 * them (set elements come in the order of the kernel's set, not of the script).
 */
#ifndef SLICED_NFTLIST_H
#define SLICED_NFTLIST_H

/*
 * nftlist_canonical - listing with every run of white space made one space, each set's
 * "elements = { ... }" sorted; malloc'ed. NULL for a listing that is not well formed
 * (unbalanced braces or quotes, an elements list that does not end) or out of memory.
 */
char *nftlist_canonical(const char *listing);

#endif /* SLICED_NFTLIST_H */
