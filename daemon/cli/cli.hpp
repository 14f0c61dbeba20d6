// The command line (DESIGN.md "Command line"): run, once, migrate, check-config,
// parse-feed, ... Each command is a function of the parsed options.
#pragma once

namespace fw::cli {

int main(int argc, char** argv);

}  // namespace fw::cli
