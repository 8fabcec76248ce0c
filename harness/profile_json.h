// The deferlab.profile/1 document (docs/schemas/deferlab.profile-1.schema.json): a
// Profile as JSON, with how every figure was obtained. Figures that could not be measured
// are null, never a guess.
//
//   const nlohmann::json doc = profile_document(profile);
//   write_file_atomically(dir / "profile.json", doc.dump(2) + "\n");
#pragma once

#include <nlohmann/json.hpp>

#include "harness/profile.h"

namespace deferlab::harness {

nlohmann::json profile_document(const Profile& profile);

// A JSON number for a count that may be fractional: an integer when it is whole.
nlohmann::json count_json(double value);

}  // namespace deferlab::harness
