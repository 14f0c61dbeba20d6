# Installation layout and the Debian package.
#   cmake --install build --prefix /usr   (binary, SQL, default config, systemd units, docs)
#   (cd build && cpack -G DEB)            (feedwatch_<version>_<arch>.deb)
include(GNUInstallDirs)

install(TARGETS feedwatch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The config lives in /etc whatever the prefix: the unit and the package expect it there.
install(FILES ${PROJECT_SOURCE_DIR}/config/feedwatch.yaml DESTINATION /etc/feedwatch)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sql/ DESTINATION ${CMAKE_INSTALL_DATADIR}/feedwatch/sql)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/config/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME config.md)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME deploy.md)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/feedwatch.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/feedwatch.sysusers DESTINATION lib/sysusers.d RENAME feedwatch.conf)

set(CPACK_PACKAGE_NAME feedwatch)
set(CPACK_PACKAGE_VENDOR "feedwatch")
set(CPACK_PACKAGE_CONTACT "feedwatch maintainers <feedwatch@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "news feed watcher that keeps every version of every article")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
# The embedded default database runs the installed PostgreSQL server.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-15")
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ca-certificates, adduser | systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles
    ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
    ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
