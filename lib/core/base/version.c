/*
 * The package version as text in the library's read-only data, so the launcher (tr + sed) and the tools (a byte
 * search) can refuse a libtnat64.so left over from another version. T64_VERSION comes from package.json through the
 * Makefile. "used": nothing references the array, and it must survive any optimisation.
 */
#ifndef T64_VERSION
#error "T64_VERSION (the package version) must be defined; the Makefile takes it from package.json"
#endif

__attribute__((used)) static const char t64_version_marker[] = "tnat64-version=" T64_VERSION;
