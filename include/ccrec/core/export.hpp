// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `CCREC_EXPORT` marks the public ABI of ccrec's libraries, which are built with hidden
/// visibility: a shared library exports what it marks and nothing else (docs/compatibility.md,
/// "Exported symbols"). `CCREC_HIDDEN` keeps a class nested in an exported one (the `Impl` of a
/// pimpl) out of that ABI, which it would otherwise join. Not part of the API.
///
/// Also brings ccrec/core/namespaces.hpp: every header that opens `namespace ccrec::area {`
/// includes this one first.

#include <ccrec/core/namespaces.hpp>

#if defined(_WIN32)
#if defined(CCREC_BUILDING_LIBRARY)
#define CCREC_EXPORT __declspec(dllexport)
#else
#define CCREC_EXPORT __declspec(dllimport)
#endif
#define CCREC_HIDDEN
#else
#define CCREC_EXPORT __attribute__((visibility("default")))
#define CCREC_HIDDEN __attribute__((visibility("hidden")))
#endif
