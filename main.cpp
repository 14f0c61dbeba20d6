#include "daemon/cli/cli.hpp"

int main(int argc, char** argv) {
  return fw::cli::main(argc, argv);
}
