// toml++'s compiled part, built into strata (see cmake/Dependencies.cmake). Debian ships
// toml++ as libtomlplusplus.so, which links libstdc++.so and would be loaded at every start.
// Every strata file includes <toml++/toml.h> with TOML_HEADER_ONLY=0 (declarations only); this
// one file defines TOML_IMPLEMENTATION and so compiles the implementation, once.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
