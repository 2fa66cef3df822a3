// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Umbrella header of ccrec::huawei (Huawei CC-Gateway / AgentGateway): sessions, events, downloads and
/// the export source. See docs/huawei.md.

#include <ccrec/huawei/agent_session.hpp>
#include <ccrec/huawei/errors.hpp>
#include <ccrec/huawei/event_poller.hpp>
#include <ccrec/huawei/models.hpp>
#include <ccrec/huawei/recording_source.hpp>
