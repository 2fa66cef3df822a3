// SPDX-License-Identifier: Apache-2.0
// The translation unit that builds the test executables' shared precompiled header
// (ccrec_test_pch, tests/CMakeLists.txt); it has no code of its own.
