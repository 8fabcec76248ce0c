// Decoder: Capstone behind RAII (decoder.h).
#include "disasm/decoder.h"

#include <cstdio>
#include <cstring>

#include "common/error.h"
#include "disasm/capstone_format.h"

namespace deferlab::disasm {

namespace {

constexpr std::uint8_t kSeen = 0x80;

// A Capstone handle for `info`, with or without detail; throws Error when Capstone cannot
// decode the architecture.
csh open_handle(const ArchInfo& info, Syntax syntax, bool detail) {
  use_fast_capstone_format();
  csh handle = 0;
  if (cs_open(info.capstone_arch, info.capstone_mode, &handle) != CS_ERR_OK) {
    throw Error("Capstone cannot decode this architecture", std::string(info.name));
  }
  cs_option(handle, CS_OPT_DETAIL, detail ? CS_OPT_ON : CS_OPT_OFF);
  if (info.has_syntax_option) {
    cs_option(handle, CS_OPT_SYNTAX,
              syntax == Syntax::kAtt ? CS_OPT_SYNTAX_ATT : CS_OPT_SYNTAX_INTEL);
  }
  return handle;
}

}  // namespace

Decoder::Decoder(Arch arch, Syntax syntax) : info_(&arch_info(arch)), att_(syntax == Syntax::kAtt) {
  handle_ = open_handle(*info_, syntax, info_->needs_detail);
  insn_ = cs_malloc(handle_);
  if (!info_->needs_detail) {
    try {
      detail_handle_ = open_handle(*info_, syntax, true);
    } catch (...) {
      cs_free(insn_, 1);
      cs_close(&handle_);
      throw;
    }
    detail_insn_ = cs_malloc(detail_handle_);
  }
}

Decoder::~Decoder() {
  if (detail_insn_ != nullptr) cs_free(detail_insn_, 1);
  if (detail_handle_ != 0) cs_close(&detail_handle_);
  if (insn_ != nullptr) cs_free(insn_, 1);
  if (handle_ != 0) cs_close(&handle_);
}

std::uint8_t Decoder::groups_of(const cs_insn& insn) const {
  if (insn.id < groups_by_id_.size() && groups_by_id_[insn.id] != 0) {
    return groups_by_id_[insn.id] & ~kSeen;
  }
  // The first instruction of this id: decode its bytes again, with detail.
  const std::uint8_t* code = insn.bytes;
  std::size_t size = insn.size;
  std::uint64_t address = insn.address;
  std::uint8_t groups = 0;
  if (cs_disasm_iter(detail_handle_, &code, &size, &address, detail_insn_) &&
      detail_insn_->detail != nullptr) {
    const cs_detail& d = *detail_insn_->detail;
    for (std::uint8_t i = 0; i < d.groups_count; ++i) {
      if (d.groups[i] == CS_GRP_CALL) groups |= InsnContext::kCall;
      if (d.groups[i] == CS_GRP_JUMP) groups |= InsnContext::kJump;
      if (d.groups[i] == CS_GRP_RET) groups |= InsnContext::kReturn;
    }
  }
  if (insn.id >= groups_by_id_.size()) groups_by_id_.resize(insn.id + 1, 0);
  groups_by_id_[insn.id] = kSeen | groups;
  return groups;
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
      // Appended to the fresh, empty string: assignment would first check whether the
      // text lies inside the string itself, for every instruction.
      insn.mnemonic.append(insn_->mnemonic, std::strlen(insn_->mnemonic));
      insn.operands.assign(insn_->op_str);
      InsnContext context;
      context.att = att_;
      if (!info_->needs_detail) context.groups = groups_of(*insn_);
      info_->classify(*insn_, context, insn);
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
