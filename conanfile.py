# Conan 2 recipe for mailwire. Conan is not installable on the project's Debian machines, so
# this recipe is checked for syntax in the test suite but not run there; test_package/ builds
# the same consumer as tests/package/.
from conan import ConanFile
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout


class MailwireConan(ConanFile):
    name = "mailwire"
    version = "0.1.0"
    description = ("Client-side SMTP, IMAP and POP3 on one pluggable TLS transport, "
                   "with an RFC 5322/MIME message model")
    topics = ("email", "smtp", "imap", "pop3", "mime", "tls")
    settings = "os", "compiler", "build_type", "arch"
    options = {"shared": [True, False], "fPIC": [True, False]}
    default_options = {"shared": False, "fPIC": True}
    exports_sources = "CMakeLists.txt", "cmake/*", "include/*", "src/*"

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def requirements(self):
        self.requires("openssl/[>=3.0 <4]")
        self.requires("fmt/[>=9 <12]")

    def layout(self):
        cmake_layout(self)

    def generate(self):
        CMakeDeps(self).generate()
        toolchain = CMakeToolchain(self)
        toolchain.variables["MAILWIRE_BUILD_TESTS"] = False
        toolchain.variables["MAILWIRE_BUILD_EXAMPLES"] = False
        toolchain.variables["MAILWIRE_INSTALL"] = True
        toolchain.generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        CMake(self).install()

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "mailwire")
        self.cpp_info.set_property("cmake_target_name", "mailwire::mailwire")
        self.cpp_info.set_property("pkg_config_name", "mailwire")
        self.cpp_info.libs = ["mailwire"]
        self.cpp_info.requires = ["openssl::ssl", "openssl::crypto", "fmt::fmt"]
        if self.options.shared:
            self.cpp_info.defines = ["MAILWIRE_SHARED"]
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread", "resolv"]
