// An ObjectFile held in memory, for tests that need exact bytes at exact addresses: one
// .text section, function symbols, PLT names and GOT slots given by the test.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "disasm/object_file.h"

namespace deferlab::disasm::testing {

class MemoryObjectFile final : public ObjectFile {
 public:
  MemoryObjectFile(Arch arch, std::uint64_t text_address, std::vector<std::uint8_t> text)
      : arch_(arch), text_(std::move(text)) {
    sections_.push_back({1, ".text", text_address, text_.size(), true});
  }

  void add_function(const std::string& name, std::uint64_t address, std::uint64_t size) {
    Symbol symbol;
    symbol.name = name;
    symbol.address = address;
    symbol.size = size;
    symbol.section = 1;
    functions_.push_back(std::move(symbol));
  }
  void add_plt(std::uint64_t address, const std::string& name) { plt_[address] = name; }
  void add_got_slot(std::uint64_t address, const std::string& name) { got_[address] = name; }
  // A data object (for PC-relative operands); the file has no ELF symbol table to read.
  void add_data_symbol(const std::string& name, std::uint64_t address, std::uint64_t size) {
    Symbol symbol;
    symbol.name = name;
    symbol.address = address;
    symbol.size = size;
    data_.push_back(std::move(symbol));
  }

  const std::string& path() const override { return path_; }
  Arch arch() const override { return arch_; }
  std::string kind() const override { return "executable"; }
  std::string build_id() const override { return ""; }
  bool has_symbol_table() const override { return true; }
  const std::vector<Section>& sections() const override { return sections_; }
  bool has_section(std::string_view name) const override {
    for (const Section& s : sections_) {
      if (s.name == name) return true;
    }
    return false;
  }
  const std::vector<Symbol>& functions() const override { return functions_; }
  std::span<const std::uint8_t> section_bytes(const Section&) const override { return text_; }
  std::optional<std::string> plt_name(std::uint64_t address) const override {
    const auto it = plt_.find(address);
    return it == plt_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  std::optional<std::string> got_slot_symbol(std::uint64_t address) const override {
    const auto it = got_.find(address);
    return it == got_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  const CodeRelocation* relocation_in(std::size_t, std::uint64_t, std::uint64_t) const override {
    return nullptr;
  }
  std::optional<SymbolRef> symbol_containing(std::uint64_t address) const override {
    for (const Symbol& s : data_) {
      if (address >= s.address && address - s.address < s.size) return SymbolRef::of(s);
    }
    return std::nullopt;
  }
  std::unique_ptr<LineTable> open_line_table() const override { return nullptr; }

 private:
  std::string path_ = "memory";
  Arch arch_;
  std::vector<std::uint8_t> text_;
  std::vector<Section> sections_;
  std::vector<Symbol> functions_;
  std::map<std::uint64_t, std::string> plt_;
  std::map<std::uint64_t, std::string> got_;
  std::vector<Symbol> data_;
};

}  // namespace deferlab::disasm::testing
