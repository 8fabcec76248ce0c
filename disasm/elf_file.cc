// ElfFile: the ObjectFile of ELF64 little-endian x86-64 and AArch64 binaries, read with
// elfutils' libelf (and libdw for line tables).
//
// The file is untrusted. Before libelf sees it, the header fields that locate everything
// else are checked against the file size; then every section and symbol table is checked
// as it is read, and relocations when they are first asked about (elf_relocations.cc). A
// bad value is an Error naming the file and the part that is wrong, never a read out of
// bounds. Opening reads headers and checks symbols in place; the symbol index
// (elf_symbols.cc), the relocations and the PLT names (plt_stubs.cc) are built on first
// use, so one function of a big library costs little more than reading that function.
#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "common/error.h"
#include "disasm/checked.h"
#include "disasm/elf_handles.h"
#include "disasm/elf_image.h"
#include "disasm/elf_line_table.h"
#include "disasm/elf_relocations.h"
#include "disasm/elf_symbols.h"
#include "disasm/object_file.h"
#include "disasm/plt_stubs.h"

namespace deferlab::disasm {

namespace {

using namespace elf;

const char* machine_name(std::uint16_t machine) {
  switch (machine) {
    case EM_386:
      return "i386";
    case EM_ARM:
      return "ARM";
    case EM_PPC64:
      return "PowerPC64";
    case EM_S390:
      return "s390";
    case EM_RISCV:
      return "RISC-V";
    case EM_MIPS:
      return "MIPS";
    case EM_SPARCV9:
      return "SPARC v9";
    case EM_LOONGARCH:
      return "LoongArch";
    default:
      return "unknown";
  }
}

// ElfFile /////////////////////////////////////////////////////////////////////////////

class ElfFile final : public ObjectFile {
 public:
  explicit ElfFile(std::string path) { image_.path = std::move(path); }

  void open();

  const std::string& path() const override { return image_.path; }
  Arch arch() const override { return image_.arch; }
  std::string kind() const override { return kind_; }
  std::string build_id() const override { return build_id_; }
  bool has_symbol_table() const override { return symbols_->has_symtab(); }
  const std::vector<Section>& sections() const override { return code_sections_; }
  bool has_section(std::string_view name) const override {
    for (std::size_t i = 1; i < image_.names.size(); ++i) {
      if (image_.names[i] == name) return true;
    }
    return false;
  }
  const std::vector<Symbol>& functions() const override { return symbols_->functions(); }
  std::vector<Symbol> functions_named(std::string_view name) const override {
    return symbols_->functions_named(name);
  }

  std::span<const std::uint8_t> section_bytes(const Section& section) const override {
    const auto it = section_file_ranges_.find(section.index);
    if (it == section_file_ranges_.end()) return {};
    return image_.bytes.subspan(it->second.first, it->second.second);
  }

  void release_code(const Section& section, std::uint64_t address,
                    std::uint64_t size) const override {
    const auto it = section_file_ranges_.find(section.index);
    if (it == section_file_ranges_.end() || address < section.address) return;
    const std::uint64_t offset = address - section.address;
    if (offset > it->second.second || size > it->second.second - offset) return;
    mapping_->release(it->second.first + offset, size);
  }

  std::optional<std::string> plt_name(std::uint64_t address) const override;

  std::optional<std::string> got_slot_symbol(std::uint64_t address) const override {
    const std::optional<std::string_view> name = relocations_->got_slot_symbol(address);
    if (!name) return std::nullopt;
    return std::string(*name);
  }

  const CodeRelocation* relocation_in(std::size_t section, std::uint64_t offset,
                                      std::uint64_t size) const override {
    return relocations_->relocation_in(section, offset, size);
  }

  std::optional<SymbolRef> function_in_section(std::size_t section,
                                               std::uint64_t address) const override {
    return symbols_->function_in_section(section, address);
  }
  std::optional<SymbolRef> function_by_address(std::uint64_t address) const override {
    return symbols_->function_by_address(address);
  }
  std::optional<SymbolRef> symbol_containing(std::uint64_t address) const override {
    return symbols_->symbol_containing(address);
  }
  std::optional<IndexedSymbol> nearest_symbol(std::uint64_t address) const override {
    bool has_any = false;
    std::optional<IndexedSymbol> s = symbols_->nearest_symbol(address, has_any);
    if (s || has_any) return s;
    return ObjectFile::nearest_symbol(address);  // no symbol objdump would sort
  }

  std::unique_ptr<LineTable> open_line_table() const override {
    if (!has_debug_line_ || kind_ == "relocatable") return nullptr;
    UniqueElf elf(elf_begin(*fd_, ELF_C_READ_MMAP, nullptr));
    if (!elf) return nullptr;
    UniqueDwarf dwarf(dwarf_begin_elf(elf.get(), DWARF_C_READ, nullptr));
    if (!dwarf) return nullptr;
    return std::make_unique<DwarfLineTable>(std::move(elf), std::move(dwarf));
  }

 private:
  [[noreturn]] void fail(const std::string& what, const std::string& hint = {}) const {
    image_.fail(what, hint);
  }

  void check_identity();
  void read_sections();
  void read_section_headers(std::size_t names_index);
  void read_program_headers();
  void read_build_id();

  UniqueFd fd_;
  std::unique_ptr<Mapping> mapping_;
  UniqueElf elf_;
  GElf_Ehdr ehdr_{};
  Image image_;
  std::string kind_;
  std::string build_id_;
  bool has_debug_line_ = false;
  std::vector<Section> code_sections_;
  std::map<std::size_t, std::pair<std::size_t, std::size_t>> section_file_ranges_;
  std::unique_ptr<ElfSymbols> symbols_;
  std::unique_ptr<ElfRelocations> relocations_;
  // Stub address -> "name@plt", decoded when an address inside a PLT section is first
  // asked about.
  mutable std::once_flag plt_decoded_;
  mutable std::unordered_map<std::uint64_t, std::string> plt_names_;
};

void ElfFile::open() {
  struct stat st {};
  if (::stat(image_.path.c_str(), &st) != 0) {
    fail(errno == ENOENT ? "no such file" : std::string("cannot access: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) fail("is a directory, not a binary");
  if (!S_ISREG(st.st_mode)) fail("not a regular file");
  if (st.st_size == 0) fail("empty file, not a binary");
  fd_ = UniqueFd(new int(::open(image_.path.c_str(), O_RDONLY | O_CLOEXEC)));
  if (*fd_ < 0) fail(std::string("cannot open: ") + std::strerror(errno));
  mapping_ = std::make_unique<Mapping>(*fd_, static_cast<std::size_t>(st.st_size));
  if (!mapping_->ok()) fail(std::string("cannot map the file: ") + std::strerror(errno));
  image_.bytes = mapping_->bytes();

  check_identity();
  elf_version(EV_CURRENT);
  elf_ = UniqueElf(elf_begin(*fd_, ELF_C_READ_MMAP, nullptr));
  if (!elf_) fail(std::string("libelf cannot read it: ") + elf_errmsg(-1));
  if (elf_kind(elf_.get()) != ELF_K_ELF) fail("not an ELF file");
  if (gelf_getehdr(elf_.get(), &ehdr_) == nullptr) {
    fail(std::string("cannot read the ELF header: ") + elf_errmsg(-1));
  }
  switch (ehdr_.e_type) {
    case ET_EXEC:
      kind_ = "executable";
      break;
    case ET_DYN:
      kind_ = "shared-library";
      break;  // or a PIE: see read_program_headers
    case ET_REL:
      kind_ = "relocatable";
      break;
    case ET_CORE:
      fail("a core dump, not a binary");
    default:
      fail("unknown ELF file type " + std::to_string(ehdr_.e_type));
  }
  image_.relocatable = ehdr_.e_type == ET_REL;
  read_sections();
  read_program_headers();
  symbols_ = std::make_unique<ElfSymbols>(image_);
  relocations_ = std::make_unique<ElfRelocations>(image_, *symbols_);
  read_build_id();
}

// The header fields everything else hangs on, checked on the raw bytes before libelf
// interprets them.
void ElfFile::check_identity() {
  const std::span<const std::uint8_t> file = image_.bytes;
  if (file.size() < SELFMAG || std::memcmp(file.data(), ELFMAG, SELFMAG) != 0) {
    if (file.size() >= 8 && std::memcmp(file.data(), "!<arch>\n", 8) == 0) {
      fail("a static archive, not an object file", "extract its members with `ar x` first");
    }
    fail("not an ELF file");
  }
  if (file.size() < EI_NIDENT) fail("truncated ELF header");
  if (file[EI_CLASS] == ELFCLASS32) fail("32-bit ELF is not supported (only ELF64)");
  if (file[EI_CLASS] != ELFCLASS64) fail("invalid ELF class " + std::to_string(file[EI_CLASS]));
  if (file[EI_DATA] == ELFDATA2MSB) fail("big-endian ELF is not supported (only little-endian)");
  if (file[EI_DATA] != ELFDATA2LSB) fail("invalid ELF data encoding");
  if (file.size() < sizeof(Elf64_Ehdr)) {
    fail("truncated ELF header (" + std::to_string(file.size()) + " of " +
         std::to_string(sizeof(Elf64_Ehdr)) + " bytes)");
  }
  Elf64_Ehdr e;
  std::memcpy(&e, file.data(), sizeof e);
  const ArchInfo* info = arch_by_elf_machine(e.e_machine);
  if (info == nullptr) {
    fail("unsupported machine " + std::to_string(e.e_machine) + " (" + machine_name(e.e_machine) +
             ")",
         "deferlab decodes x86-64 and aarch64");
  }
  image_.arch = info->arch;
  if (e.e_shoff == 0) return;  // no section headers (checked in read_sections)
  if (e.e_shentsize != sizeof(Elf64_Shdr)) {
    fail("section header entry size is " + std::to_string(e.e_shentsize) + ", expected " +
         std::to_string(sizeof(Elf64_Shdr)));
  }
  std::uint64_t count = e.e_shnum;
  if (count == 0) {
    // Extended numbering: the count is in section 0's sh_size.
    if (!fits_within(e.e_shoff, sizeof(Elf64_Shdr), file.size())) {
      fail("section header table lies past the end of the file");
    }
    Elf64_Shdr first;
    std::memcpy(&first, file.data() + e.e_shoff, sizeof first);
    count = first.sh_size;
  }
  const std::optional<std::uint64_t> table_size = checked_mul(count, sizeof(Elf64_Shdr));
  if (!table_size || !fits_within(e.e_shoff, *table_size, file.size())) {
    fail("section header table lies past the end of the file (" + std::to_string(count) +
         " headers at offset " + std::to_string(e.e_shoff) + ")");
  }
  std::uint64_t names_index = e.e_shstrndx;
  if (names_index == SHN_XINDEX) {
    Elf64_Shdr first;
    std::memcpy(&first, file.data() + e.e_shoff, sizeof first);
    names_index = first.sh_link;
  }
  if (count > 0 && names_index != SHN_UNDEF && names_index >= count) {
    fail("section name string table index " + std::to_string(names_index) + " is out of range (" +
         std::to_string(count) + " sections)");
  }
}

void ElfFile::read_sections() {
  std::size_t count = 0;
  if (elf_getshdrnum(elf_.get(), &count) != 0) {
    fail(std::string("cannot count the sections: ") + elf_errmsg(-1));
  }
  std::size_t names_index = 0;
  if (count > 0 && elf_getshdrstrndx(elf_.get(), &names_index) != 0) {
    fail(std::string("cannot find the section name table: ") + elf_errmsg(-1));
  }
  image_.headers.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    Elf_Scn* scn = elf_getscn(elf_.get(), i);
    if (scn == nullptr || gelf_getshdr(scn, &image_.headers[i]) == nullptr) {
      fail("cannot read section header " + std::to_string(i) + ": " + elf_errmsg(-1));
    }
  }
  if (count > 0 && names_index != SHN_UNDEF) {
    const GElf_Shdr& names = image_.shdr(names_index);
    if (names.sh_type != SHT_STRTAB) fail("the section name table is not a string table");
    if (!fits_within(names.sh_offset, names.sh_size, image_.bytes.size())) {
      fail("the section name table lies past the end of the file");
    }
  }
  read_section_headers(names_index);
}

// Names every section, checks it against the file, and keeps the executable ones.
void ElfFile::read_section_headers(std::size_t names_index) {
  image_.names.assign(image_.section_count(), std::string());
  for (std::size_t i = 1; i < image_.section_count(); ++i) {
    const GElf_Shdr& s = image_.shdr(i);
    const char* name =
        names_index != SHN_UNDEF ? elf_strptr(elf_.get(), names_index, s.sh_name) : nullptr;
    if (names_index != SHN_UNDEF && name == nullptr) {
      fail("section " + std::to_string(i) + "'s name lies past the end of the name table");
    }
    image_.names[i] = name != nullptr ? name : "";
    if (s.sh_type != SHT_NOBITS && !fits_within(s.sh_offset, s.sh_size, image_.bytes.size())) {
      fail("section " + image_.section_name(i) + " lies past the end of the file (offset " +
           std::to_string(s.sh_offset) + ", size " + std::to_string(s.sh_size) + ")");
    }
    if (image_.names[i] == ".debug_line") has_debug_line_ = true;
    if (image_.names[i] == ".got") image_.got = {s.sh_addr, s.sh_addr + s.sh_size};
    if ((s.sh_flags & SHF_EXECINSTR) != 0 && s.sh_type == SHT_PROGBITS && s.sh_size > 0) {
      Section section;
      section.index = i;
      section.name = image_.names[i];
      section.address = s.sh_addr;
      section.size = s.sh_size;
      section.executable = true;
      code_sections_.push_back(section);
      section_file_ranges_[i] = {static_cast<std::size_t>(s.sh_offset),
                                 static_cast<std::size_t>(s.sh_size)};
    }
  }
}
void ElfFile::read_program_headers() {
  std::size_t count = 0;
  if (elf_getphdrnum(elf_.get(), &count) != 0) return;  // relocatable objects have none
  if (!fits_within(ehdr_.e_phoff, count * sizeof(Elf64_Phdr), image_.bytes.size())) {
    fail("program header table lies past the end of the file");
  }
  std::size_t load_index = 0;
  for (std::size_t i = 0; i < count; ++i) {
    GElf_Phdr p{};
    if (gelf_getphdr(elf_.get(), static_cast<int>(i), &p) == nullptr) continue;
    if (p.p_type == PT_INTERP && ehdr_.e_type == ET_DYN) kind_ = "pie-executable";
    // Without section headers (sstrip), executable segments stand in for sections, so
    // --address still reaches the code.
    if (image_.section_count() == 0 && p.p_type == PT_LOAD && (p.p_flags & PF_X) != 0) {
      if (!fits_within(p.p_offset, p.p_filesz, image_.bytes.size())) {
        fail("segment " + std::to_string(i) + " lies past the end of the file");
      }
      Section section;
      section.index = 1000000 + load_index++;  // not a section index: a segment
      section.name = "LOAD#" + std::to_string(i);
      section.address = p.p_vaddr;
      section.size = p.p_filesz;
      section.executable = true;
      code_sections_.push_back(section);
      section_file_ranges_[section.index] = {static_cast<std::size_t>(p.p_offset),
                                             static_cast<std::size_t>(p.p_filesz)};
    }
  }
}

void ElfFile::read_build_id() {
  for (std::size_t i = 1; i < image_.section_count(); ++i) {
    if (image_.shdr(i).sh_type != SHT_NOTE) continue;
    Elf_Data* data = elf_getdata(elf_getscn(elf_.get(), i), nullptr);
    if (data == nullptr) continue;
    std::size_t offset = 0;
    GElf_Nhdr note;
    std::size_t name_offset = 0;
    std::size_t desc_offset = 0;
    while ((offset = gelf_getnote(data, offset, &note, &name_offset, &desc_offset)) > 0) {
      if (note.n_type != NT_GNU_BUILD_ID || note.n_namesz != 4 ||
          std::memcmp(static_cast<const char*>(data->d_buf) + name_offset, "GNU", 4) != 0) {
        continue;
      }
      if (!fits_within(desc_offset, note.n_descsz, data->d_size)) continue;
      const auto* desc = static_cast<const std::uint8_t*>(data->d_buf) + desc_offset;
      static constexpr char kHex[] = "0123456789abcdef";
      for (std::size_t b = 0; b < note.n_descsz; ++b) {
        build_id_ += kHex[desc[b] >> 4];
        build_id_ += kHex[desc[b] & 15];
      }
      return;
    }
  }
}

std::optional<std::string> ElfFile::plt_name(std::uint64_t address) const {
  // Only addresses inside a PLT section can name a stub: anything else is answered without
  // decoding the PLT or reading the relocations.
  bool in_plt = false;
  for (const Section& s : code_sections_) {
    in_plt =
        in_plt || (is_plt_section(s.name) && address >= s.address && address - s.address < s.size);
  }
  if (!in_plt) return std::nullopt;
  std::call_once(plt_decoded_, [this] {
    if (relocations_->has_got_slots()) plt_names_ = plt_stub_names(*this);
  });
  const auto it = plt_names_.find(address);
  if (it == plt_names_.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::unique_ptr<ObjectFile> open_object_file(const std::string& path) {
  auto file = std::make_unique<ElfFile>(path);
  file->open();
  return file;
}

}  // namespace deferlab::disasm
