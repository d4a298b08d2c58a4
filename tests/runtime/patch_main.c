// SPDX-License-Identifier: MIT
int sites_main(const char *what, const char *arg);

int main(int argc, char **argv)
{
	return sites_main(argc > 1 ? argv[1] : "basic", argc > 2 ? argv[2] : 0);
}
