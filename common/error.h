// The one error type deferlab's libraries throw for bad usage or bad input. Only tools/
// turns it into `deferlab: error: <message> (<subject>); <hint>` and exit code 2; any
// other exception escaping a library is an internal error (exit code 3).
//
//   throw Error("not an ELF file", path, "pass a compiled binary or object file");
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace deferlab {

class Error : public std::runtime_error {
 public:
  explicit Error(std::string message, std::string subject = {}, std::string hint = {})
      : std::runtime_error(message), subject_(std::move(subject)), hint_(std::move(hint)) {}
  // `details`: lines tools/ prints on stdout, one each, whole, beside the one error line
  // on stderr (e.g. every candidate of an ambiguous name, so that any can be pasted back).
  Error(std::string message, std::string subject, std::string hint,
        std::vector<std::string> details)
      : Error(std::move(message), std::move(subject), std::move(hint)) {
    details_ = std::move(details);
  }

  // What the error is about: a file, a symbol, an option.
  const std::string& subject() const { return subject_; }
  // What the user can do about it; may be empty.
  const std::string& hint() const { return hint_; }
  const std::vector<std::string>& details() const { return details_; }

 private:
  std::string subject_;
  std::string hint_;
  std::vector<std::string> details_;
};

}  // namespace deferlab
