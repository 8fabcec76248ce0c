// One decoded instruction, as the decoder leaves it and before any annotation: where it
// is, its bytes and text, and what kind of control transfer it is.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace deferlab::disasm {

enum class InsnKind : std::uint8_t {
  kOther,
  kCall,          // direct call
  kIndirectCall,  // call through a register or memory
  kJump,          // unconditional direct jump
  kIndirectJump,  // jump through a register or memory (tail calls, switch tables)
  kCondJump,      // conditional direct branch
  kReturn,
  kTrap,     // ud2, int3, hlt, brk: control does not continue
  kInvalid,  // bytes the decoder does not know (objdump's "(bad)")
};

// An instruction's operand text, held in the instruction itself up to kInline bytes (all
// but the longest AVX-512 operands; longer text goes to the heap). A third
// of x86-64 operands are longer than std::string keeps inline (15 bytes), and a whole
// library's listing spent several percent allocating and freeing them.
class OperandText {
 public:
  static constexpr std::size_t kInline = 47;

  OperandText() = default;
  OperandText(std::string_view text) { assign(text); }  // NOLINT: as std::string converts
  OperandText(const char* text) : OperandText(std::string_view(text)) {}         // NOLINT
  OperandText(const std::string& text) : OperandText(std::string_view(text)) {}  // NOLINT
  OperandText(const OperandText& other) { assign(other.view()); }
  OperandText& operator=(const OperandText& other) {
    if (this != &other) assign(other.view());
    return *this;
  }
  OperandText(OperandText&&) noexcept = default;
  OperandText& operator=(OperandText&&) noexcept = default;
  ~OperandText() = default;

  void assign(std::string_view text) {
    size_ = static_cast<std::uint32_t>(text.size());
    if (text.size() <= kInline) {
      heap_.reset();
      std::memcpy(inline_, text.data(), text.size());
    } else {
      heap_ = std::make_unique<char[]>(text.size());
      std::memcpy(heap_.get(), text.data(), text.size());
    }
  }

  std::string_view view() const { return {heap_ ? heap_.get() : inline_, size_}; }
  operator std::string_view() const { return view(); }  // NOLINT: reads as a string
  std::string str() const { return std::string(view()); }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  friend bool operator==(const OperandText& a, std::string_view b) { return a.view() == b; }
  friend std::string operator+(const std::string& a, const OperandText& b) {
    return a + std::string(b.view());
  }
  friend std::ostream& operator<<(std::ostream& out, const OperandText& text) {
    return out << text.view();
  }

 private:
  char inline_[kInline] = {};  // zeroed: a move copies all of it, read or not
  std::uint32_t size_ = 0;
  std::unique_ptr<char[]> heap_;
};

// How an AArch64 instruction defines a register, for naming calls through registers
// (adrp x16, page; ldr x17, [x16, #off]; blr x17 -> the GOT slot at page + off).
enum class RegDef : std::uint8_t { kNone, kConst, kAddImm, kLoad };

struct Instruction {
  std::uint64_t address = 0;
  std::uint8_t size = 0;
  std::array<std::uint8_t, 16> bytes{};
  std::string mnemonic;
  OperandText operands;
  InsnKind kind = InsnKind::kOther;
  std::optional<std::uint64_t> target;          // destination of a direct call or branch
  std::optional<std::uint64_t> memory_address;  // a PC-relative operand's address
  bool reads_stack_guard = false;               // x86-64: fs:[0x28]
  std::uint64_t frame_bytes = 0;                // stack this instruction allocates
  // AArch64 register tracking (see RegDef).
  RegDef reg_def = RegDef::kNone;
  int def_reg = -1;
  int base_reg = -1;
  std::int64_t immediate = 0;  // kConst: the value; kAddImm / kLoad: the offset
  int call_reg = -1;           // register of an indirect call or jump, or -1

  bool is_call() const { return kind == InsnKind::kCall || kind == InsnKind::kIndirectCall; }
  bool is_branch() const {
    return kind == InsnKind::kJump || kind == InsnKind::kCondJump ||
           kind == InsnKind::kIndirectJump;
  }
  // Control never reaches the next instruction from here.
  bool ends_flow() const {
    return kind == InsnKind::kJump || kind == InsnKind::kIndirectJump ||
           kind == InsnKind::kReturn || kind == InsnKind::kTrap;
  }
};

}  // namespace deferlab::disasm
