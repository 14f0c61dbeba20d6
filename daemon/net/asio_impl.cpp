// Boost.Asio and Boost.Beast are compiled here, once, for the whole program
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION are set on
// fw_daemon). Every other translation unit includes only their declarations,
// which keeps a clean build short on two cores.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
