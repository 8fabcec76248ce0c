// Decoder: Capstone behind RAII (decoder.h).
#include "disasm/decoder.h"

#include <cstdio>
#include <cstring>

#include "common/error.h"

namespace deferlab::disasm {

Decoder::Decoder(Arch arch, Syntax syntax) : info_(&arch_info(arch)) {
  if (cs_open(info_->capstone_arch, info_->capstone_mode, &handle_) != CS_ERR_OK) {
    throw Error("Capstone cannot decode this architecture", std::string(info_->name));
  }
  cs_option(handle_, CS_OPT_DETAIL, CS_OPT_ON);
  if (info_->has_syntax_option) {
    cs_option(handle_, CS_OPT_SYNTAX,
              syntax == Syntax::kAtt ? CS_OPT_SYNTAX_ATT : CS_OPT_SYNTAX_INTEL);
  }
  insn_ = cs_malloc(handle_);
}

Decoder::~Decoder() {
  if (insn_ != nullptr) cs_free(insn_, 1);
  if (handle_ != 0) cs_close(&handle_);
}

std::string Decoder::register_name(int reg) const {
  const char* name = cs_reg_name(handle_, static_cast<unsigned>(reg));
  return name != nullptr ? name : "";
}

void Decoder::decode(std::span<const std::uint8_t> bytes, std::uint64_t address,
                     std::vector<Instruction>& out) const {
  const std::uint8_t* code = bytes.data();
  std::size_t remaining = bytes.size();
  std::uint64_t pc = address;
  const std::size_t invalid_size = info_->invalid_size;
  // About one instruction per 4 bytes on both architectures: growing the vector as it goes
  // would move every decoded instruction (and its strings) several times.
  out.reserve(out.size() + remaining / 4 + 1);
  while (remaining > 0) {
    Instruction& insn = out.emplace_back();
    if (cs_disasm_iter(handle_, &code, &remaining, &pc, insn_)) {
      insn.address = insn_->address;
      insn.size = static_cast<std::uint8_t>(insn_->size);
      std::memcpy(insn.bytes.data(), insn_->bytes, insn.size);
      insn.mnemonic = insn_->mnemonic;
      insn.operands = insn_->op_str;
      info_->classify(*insn_, insn);
      insn.frame_bytes = info_->frame_bytes(*insn_);
      continue;
    }
    // Unknown bytes: one placeholder, then carry on after it.
    const std::size_t size = remaining < invalid_size ? remaining : invalid_size;
    insn.address = pc;
    insn.size = static_cast<std::uint8_t>(size);
    std::memcpy(insn.bytes.data(), code, size);
    insn.kind = InsnKind::kInvalid;
    // The placeholder's value, as one little-endian number of its size: "0x8b", "0xd503201f".
    std::uint64_t value = 0;
    for (std::size_t k = size; k > 0; --k) value = (value << 8) | code[k - 1];
    char text[32];
    std::snprintf(text, sizeof text, "0x%0*llx", static_cast<int>(2 * size),
                  static_cast<unsigned long long>(value));
    insn.mnemonic = size == invalid_size ? info_->invalid_mnemonic : ".byte";
    insn.operands = text;
    code += size;
    remaining -= size;
    pc += size;
  }
}

}  // namespace deferlab::disasm
