#include "disasm/decoder.h"

#include <cstdio>
#include <cstring>

#include "harness/error.h"

namespace deferlab::disasm {

Decoder::Decoder(Arch arch, Syntax syntax) : info_(&arch_info(arch)) {
  if (cs_open(info_->capstone_arch, info_->capstone_mode, &handle_) != CS_ERR_OK) {
    throw Error("Capstone cannot decode this architecture", std::string(info_->name));
  }
  cs_option(handle_, CS_OPT_DETAIL, CS_OPT_ON);
  if (arch == Arch::kX86_64) {
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
  const std::size_t invalid_size = info_->arch == Arch::kAArch64 ? 4 : 1;
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
    char text[32];
    if (size == 4) {
      std::uint32_t word = 0;
      std::memcpy(&word, code, 4);  // AArch64 code is little-endian
      std::snprintf(text, sizeof text, "0x%08x", word);
      insn.mnemonic = ".inst";
    } else {
      std::snprintf(text, sizeof text, "0x%02x", code[0]);
      insn.mnemonic = ".byte";
    }
    insn.operands = text;
    code += size;
    remaining -= size;
    pc += size;
  }
}

}  // namespace deferlab::disasm
