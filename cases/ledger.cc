// throw_failure() out of line, so each hot function that throws shows a plain call.
#include "cases/ledger.h"

namespace deferlab::cases {

void throw_failure(int step) {
  throw Failure{step};
}

}  // namespace deferlab::cases
