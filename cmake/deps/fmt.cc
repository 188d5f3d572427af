// fmt's compiled part, built into strata (see cmake/Dependencies.cmake). Debian ships fmt only
// as libfmt.so, which links libstdc++.so and would be loaded at every start; its headers carry
// the implementation (format-inl.h), compiled here once. The instantiations below are the ones
// <fmt/format.h> declares extern or leaves to the library: the float and double shortest
// representations (Dragonbox), locale access, and the locale-dependent separators for char and
// wchar_t. A missing one shows as an undefined fmt symbol at link time.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;

template locale_ref::locale_ref(const std::locale& loc);
template auto locale_ref::get<std::locale>() const -> std::locale;

template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<wchar_t>;
template auto decimal_point_impl(locale_ref) -> char;
template auto decimal_point_impl(locale_ref) -> wchar_t;

}  // namespace detail
FMT_END_NAMESPACE
