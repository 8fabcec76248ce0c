#include "cases/ledger.h"

namespace deferlab::cases {

void throw_failure(int step) {
  throw Failure{step};
}

}  // namespace deferlab::cases
