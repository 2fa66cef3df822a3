// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `CCREC_EXPORT` marks the public ABI of ccrec's libraries, which are built with hidden
/// visibility. Not part of the API.

#if defined(_WIN32)
#if defined(CCREC_BUILDING_LIBRARY)
#define CCREC_EXPORT __declspec(dllexport)
#else
#define CCREC_EXPORT __declspec(dllimport)
#endif
#else
#define CCREC_EXPORT __attribute__((visibility("default")))
#endif
