// ElfFile: the ObjectFile of ELF64 little-endian x86-64 and AArch64 binaries, read with
// elfutils' libelf (and libdw for line tables).
//
// The file is untrusted. Before libelf sees it, the header fields that locate everything
// else are checked against the file size; then every section, symbol table, string table
// and relocation is checked as it is read. A bad value is an Error naming the file and the
// part that is wrong, never a read out of bounds.
#include <cxxabi.h>  // for abi::__cxa_demangle
#include <elf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "disasm/checked.h"
#include "disasm/decoder.h"
#include "disasm/object_file.h"
#include "harness/error.h"

namespace deferlab::disasm {

std::string demangle(const std::string& name) {
  if (name.size() < 2 || name[0] != '_' || name[1] != 'Z') return name;
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(
      abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status), &std::free);
  return status == 0 && out ? std::string(out.get()) : name;
}

namespace {

// RAII for the C handles ///////////////////////////////////////////////////////////////

struct FdCloser {
  void operator()(const int* fd) const {
    // Don't retry close on EINTR: the descriptor is released either way on Linux.
    if (fd != nullptr && *fd >= 0) ::close(*fd);
    delete fd;
  }
};
using UniqueFd = std::unique_ptr<int, FdCloser>;

struct ElfCloser {
  void operator()(Elf* elf) const { elf_end(elf); }
};
using UniqueElf = std::unique_ptr<Elf, ElfCloser>;

struct DwarfCloser {
  void operator()(Dwarf* dwarf) const { dwarf_end(dwarf); }
};
using UniqueDwarf = std::unique_ptr<Dwarf, DwarfCloser>;

class Mapping {
 public:
  Mapping(int fd, std::size_t size) : size_(size) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    data_ = p == MAP_FAILED ? nullptr : static_cast<const std::uint8_t*>(p);
  }
  ~Mapping() {
    if (data_ != nullptr) ::munmap(const_cast<std::uint8_t*>(data_), size_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  bool ok() const { return data_ != nullptr; }
  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }
  // Drops the whole pages inside [offset, offset + size) from memory. The mapping is
  // private and never written, so a later read gets the file's bytes back.
  void release(std::size_t offset, std::size_t size) const {
    const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    if (offset > size_ || size > size_ - offset) return;
    const std::uintptr_t begin = reinterpret_cast<std::uintptr_t>(data_) + offset;
    const std::uintptr_t first = (begin + page - 1) / page * page;
    const std::uintptr_t last = (begin + size) / page * page;
    // Advice only: a failure leaves the pages where they were, which is harmless.
    if (first < last) (void)::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
  }

 private:
  const std::uint8_t* data_ = nullptr;
  std::size_t size_;
};

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

bool is_function_type(unsigned type) {
  return type == STT_FUNC || type == STT_GNU_IFUNC;
}

// LineTable over libdw //////////////////////////////////////////////////////////////////

class DwarfLineTable final : public LineTable {
 public:
  DwarfLineTable(UniqueElf elf, UniqueDwarf dwarf)
      : elf_(std::move(elf)), dwarf_(std::move(dwarf)) {}

  std::optional<SourceLocation> lookup(std::uint64_t address) override {
    Dwarf_Die cu;
    if (dwarf_addrdie(dwarf_.get(), address, &cu) == nullptr) return std::nullopt;
    Dwarf_Line* line = dwarf_getsrc_die(&cu, address);
    if (line == nullptr) return std::nullopt;
    int number = 0;
    if (dwarf_lineno(line, &number) != 0 || number <= 0) return std::nullopt;
    const char* file = dwarf_linesrc(line, nullptr, nullptr);
    if (file == nullptr) return std::nullopt;
    return SourceLocation{file, number};
  }

 private:
  UniqueElf elf_;  // kept alive for dwarf_
  UniqueDwarf dwarf_;
};

// ElfFile /////////////////////////////////////////////////////////////////////////////

class ElfFile final : public ObjectFile {
 public:
  explicit ElfFile(std::string path) : path_(std::move(path)) {}

  void open();

  const std::string& path() const override { return path_; }
  Arch arch() const override { return arch_; }
  std::string kind() const override { return kind_; }
  std::string build_id() const override { return build_id_; }
  bool has_symbol_table() const override { return has_symtab_; }
  const std::vector<Section>& sections() const override { return code_sections_; }
  bool has_section(std::string_view name) const override {
    for (const auto& [index, section_name] : section_names_) {
      if (section_name == name) return true;
    }
    return false;
  }
  const std::vector<Symbol>& functions() const override { return functions_; }

  std::span<const std::uint8_t> section_bytes(const Section& section) const override {
    const auto it = section_file_ranges_.find(section.index);
    if (it == section_file_ranges_.end()) return {};
    return mapping_->bytes().subspan(it->second.first, it->second.second);
  }

  void release_code(const Section& section, std::uint64_t address,
                    std::uint64_t size) const override {
    const auto it = section_file_ranges_.find(section.index);
    if (it == section_file_ranges_.end() || address < section.address) return;
    const std::uint64_t offset = address - section.address;
    if (offset > it->second.second || size > it->second.second - offset) return;
    mapping_->release(it->second.first + offset, size);
  }

  std::optional<std::string> plt_name(std::uint64_t address) const override {
    const auto it = plt_names_.find(address);
    if (it == plt_names_.end()) return std::nullopt;
    return it->second;
  }

  std::optional<std::string> got_slot_symbol(std::uint64_t address) const override {
    const auto it = got_slots_.find(address);
    if (it == got_slots_.end()) return std::nullopt;
    return std::string(it->second);
  }

  const CodeRelocation* relocation_in(std::size_t section, std::uint64_t offset,
                                      std::uint64_t size) const override {
    const auto it = code_relocations_.find(section);
    if (it == code_relocations_.end()) return nullptr;
    const std::vector<CodeRelocation>& relocs = it->second;
    auto r =
        std::lower_bound(relocs.begin(), relocs.end(), offset,
                         [](const CodeRelocation& c, std::uint64_t o) { return c.offset < o; });
    if (r != relocs.end() && r->offset < offset + size) return &*r;
    return nullptr;
  }

  const Symbol* symbol_containing(std::uint64_t address) const override {
    // Functions (by address) first, then data objects.
    auto f = std::upper_bound(functions_by_address_.begin(), functions_by_address_.end(), address,
                              [](std::uint64_t a, const Symbol* s) { return a < s->address; });
    if (f != functions_by_address_.begin() &&
        address < (*std::prev(f))->address + (*std::prev(f))->size) {
      return *std::prev(f);
    }
    auto it = std::upper_bound(data_symbols_.begin(), data_symbols_.end(), address,
                               [](std::uint64_t a, const Symbol& s) { return a < s.address; });
    if (it == data_symbols_.begin()) return nullptr;
    --it;
    if (address < it->address + it->size) return &*it;
    return nullptr;
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
    throw Error(what, path_, hint);
  }

  void check_identity();
  void read_sections();
  void read_program_headers();
  void read_symbol_tables();
  void read_relocations();
  void synthesize_plt_names();
  void read_build_id();

  // Shdr of section `index`, read through libelf after the table was checked.
  GElf_Shdr shdr(std::size_t index) const {
    GElf_Shdr s{};
    Elf_Scn* scn = elf_getscn(elf_.get(), index);
    if (scn == nullptr || gelf_getshdr(scn, &s) == nullptr) {
      fail("cannot read section header " + std::to_string(index) + ": " + elf_errmsg(-1));
    }
    return s;
  }

  std::string section_name(std::size_t index) const {
    const auto it = section_names_.find(index);
    return it != section_names_.end() ? it->second : "#" + std::to_string(index);
  }

  // The bytes of a section, checked against the file.
  std::span<const std::uint8_t> raw_section(std::size_t index) const {
    const GElf_Shdr s = shdr(index);
    if (s.sh_type == SHT_NOBITS) return {};
    return checked_slice(mapping_->bytes(), s.sh_offset, s.sh_size, path_,
                         "section " + section_name(index));
  }

  std::string path_;
  UniqueFd fd_;
  std::unique_ptr<Mapping> mapping_;
  UniqueElf elf_;
  GElf_Ehdr ehdr_{};
  std::size_t section_count_ = 0;
  Arch arch_ = Arch::kX86_64;
  std::string kind_;
  std::string build_id_;
  bool has_symtab_ = false;
  bool has_debug_line_ = false;

  std::map<std::size_t, std::string> section_names_;
  std::vector<Section> code_sections_;
  std::map<std::size_t, std::pair<std::size_t, std::size_t>> section_file_ranges_;
  std::vector<Symbol> functions_;
  std::vector<Symbol> data_symbols_;                 // sized, defined data symbols, by address
  std::vector<const Symbol*> functions_by_address_;  // not in relocatable objects
  // Per symbol table section: its symbols' names (for relocations), as views into the
  // mapped string table, which lives as long as the file.
  std::map<std::size_t, std::vector<std::string_view>> symbol_names_;
  std::map<std::size_t, std::vector<unsigned>> symbol_types_;
  std::map<std::size_t, std::vector<std::size_t>> symbol_sections_;
  std::unordered_map<std::uint64_t, std::string_view> got_slots_;  // views into strtab / functions_
  std::pair<std::uint64_t, std::uint64_t> got_range_{0, 0};        // .got, [start, end)
  std::unordered_map<std::uint64_t, std::string> plt_names_;
  std::map<std::size_t, std::vector<CodeRelocation>> code_relocations_;
};

void ElfFile::open() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    fail(errno == ENOENT ? "no such file" : std::string("cannot access: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) fail("is a directory, not a binary");
  if (!S_ISREG(st.st_mode)) fail("not a regular file");
  if (st.st_size == 0) fail("empty file, not a binary");
  fd_ = UniqueFd(new int(::open(path_.c_str(), O_RDONLY | O_CLOEXEC)));
  if (*fd_ < 0) fail(std::string("cannot open: ") + std::strerror(errno));
  mapping_ = std::make_unique<Mapping>(*fd_, static_cast<std::size_t>(st.st_size));
  if (!mapping_->ok()) fail(std::string("cannot map the file: ") + std::strerror(errno));

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
  read_sections();
  read_program_headers();
  read_symbol_tables();
  read_relocations();
  synthesize_plt_names();
  read_build_id();
}

// The header fields everything else hangs on, checked on the raw bytes before libelf
// interprets them.
void ElfFile::check_identity() {
  const std::span<const std::uint8_t> file = mapping_->bytes();
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
  arch_ = info->arch;
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
  if (elf_getshdrnum(elf_.get(), &section_count_) != 0) {
    fail(std::string("cannot count the sections: ") + elf_errmsg(-1));
  }
  std::size_t names_index = 0;
  if (section_count_ > 0 && elf_getshdrstrndx(elf_.get(), &names_index) != 0) {
    fail(std::string("cannot find the section name table: ") + elf_errmsg(-1));
  }
  if (section_count_ > 0 && names_index != SHN_UNDEF) {
    const GElf_Shdr names = shdr(names_index);
    if (names.sh_type != SHT_STRTAB) fail("the section name table is not a string table");
    if (!fits_within(names.sh_offset, names.sh_size, mapping_->bytes().size())) {
      fail("the section name table lies past the end of the file");
    }
  }
  for (std::size_t i = 1; i < section_count_; ++i) {
    const GElf_Shdr s = shdr(i);
    const char* name =
        names_index != SHN_UNDEF ? elf_strptr(elf_.get(), names_index, s.sh_name) : nullptr;
    if (names_index != SHN_UNDEF && name == nullptr) {
      fail("section " + std::to_string(i) + "'s name lies past the end of the name table");
    }
    section_names_[i] = name != nullptr ? name : "";
    if (s.sh_type != SHT_NOBITS && !fits_within(s.sh_offset, s.sh_size, mapping_->bytes().size())) {
      fail("section " + section_name(i) + " lies past the end of the file (offset " +
           std::to_string(s.sh_offset) + ", size " + std::to_string(s.sh_size) + ")");
    }
    if (section_names_[i] == ".debug_line") has_debug_line_ = true;
    if (section_names_[i] == ".got") got_range_ = {s.sh_addr, s.sh_addr + s.sh_size};
    if ((s.sh_flags & SHF_EXECINSTR) != 0 && s.sh_type == SHT_PROGBITS && s.sh_size > 0) {
      Section section;
      section.index = i;
      section.name = section_names_[i];
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
  if (!fits_within(ehdr_.e_phoff, count * sizeof(Elf64_Phdr), mapping_->bytes().size())) {
    fail("program header table lies past the end of the file");
  }
  std::size_t load_index = 0;
  for (std::size_t i = 0; i < count; ++i) {
    GElf_Phdr p{};
    if (gelf_getphdr(elf_.get(), static_cast<int>(i), &p) == nullptr) continue;
    if (p.p_type == PT_INTERP && ehdr_.e_type == ET_DYN) kind_ = "pie-executable";
    // Without section headers (sstrip), executable segments stand in for sections, so
    // --address still reaches the code.
    if (section_count_ == 0 && p.p_type == PT_LOAD && (p.p_flags & PF_X) != 0) {
      if (!fits_within(p.p_offset, p.p_filesz, mapping_->bytes().size())) {
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

void ElfFile::read_symbol_tables() {
  std::set<std::pair<std::size_t, std::uint64_t>> seen;  // (section, address) named by .symtab
  std::unordered_set<std::string_view> seen_names;
  for (int pass = 0; pass < 2; ++pass) {
    // .symtab first: when both exist, .dynsym only repeats part of it.
    const unsigned wanted = pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;
    for (std::size_t i = 1; i < section_count_; ++i) {
      const GElf_Shdr s = shdr(i);
      if (s.sh_type != wanted) continue;
      const std::string table = section_name(i);
      if (s.sh_entsize != sizeof(Elf64_Sym)) {
        fail("symbol table " + table + " has entry size " + std::to_string(s.sh_entsize) +
             ", expected " + std::to_string(sizeof(Elf64_Sym)));
      }
      if (s.sh_size % sizeof(Elf64_Sym) != 0) {
        fail("symbol table " + table + "'s size " + std::to_string(s.sh_size) +
             " is not a multiple of its entry size");
      }
      if (s.sh_link == 0 || s.sh_link >= section_count_ || shdr(s.sh_link).sh_type != SHT_STRTAB) {
        fail("symbol table " + table + " links to section " + std::to_string(s.sh_link) +
             ", which is not a string table");
      }
      const std::span<const std::uint8_t> strings = raw_section(s.sh_link);
      (void)raw_section(i);  // the table itself lies within the file
      if (wanted == SHT_SYMTAB) has_symtab_ = true;
      Elf_Data* data = elf_getdata(elf_getscn(elf_.get(), i), nullptr);
      if (data == nullptr) fail("cannot read symbol table " + table + ": " + elf_errmsg(-1));
      const std::size_t count = s.sh_size / sizeof(Elf64_Sym);
      std::vector<std::string_view>& names = symbol_names_[i];
      std::vector<unsigned>& types = symbol_types_[i];
      std::vector<std::size_t>& sections = symbol_sections_[i];
      names.resize(count);
      types.resize(count);
      sections.resize(count);
      for (std::size_t k = 0; k < count; ++k) {
        GElf_Sym sym{};
        if (gelf_getsym(data, static_cast<int>(k), &sym) == nullptr) {
          fail("cannot read symbol " + std::to_string(k) + " of " + table);
        }
        if (sym.st_name >= strings.size() || std::memchr(strings.data() + sym.st_name, '\0',
                                                         strings.size() - sym.st_name) == nullptr) {
          fail("symbol " + std::to_string(k) + " of " + table +
               ": its name lies past the end of the string table " + section_name(s.sh_link));
        }
        const std::string_view name(reinterpret_cast<const char*>(strings.data() + sym.st_name));
        const unsigned type = GELF_ST_TYPE(sym.st_info);
        names[k] = name;
        types[k] = type;
        sections[k] = sym.st_shndx;
        if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE) continue;
        if (sym.st_shndx >= section_count_) {
          fail("symbol " + (name.empty() ? std::to_string(k) : std::string(name)) + " of " + table +
               ": section index " + std::to_string(sym.st_shndx) + " is out of range (" +
               std::to_string(section_count_) + " sections)");
        }
        if (type == STT_SECTION || type == STT_FILE || type == STT_TLS || name.empty()) continue;
        const GElf_Shdr home = shdr(sym.st_shndx);
        const bool relocatable = ehdr_.e_type == ET_REL;
        const std::uint64_t start = relocatable ? 0 : home.sh_addr;
        const std::uint64_t offset = sym.st_value - start;
        if (sym.st_value < start || !fits_within(offset, sym.st_size, home.sh_size)) {
          if (is_function_type(type) || sym.st_size > 0) {
            fail("symbol " + std::string(name) + " (" + std::to_string(sym.st_size) +
                 " bytes at 0x" +
                 [&] {
                   char hex[32];
                   std::snprintf(hex, sizeof hex, "%llx",
                                 static_cast<unsigned long long>(sym.st_value));
                   return std::string(hex);
                 }() +
                 ") extends past the end of its section " + section_name(sym.st_shndx));
          }
          continue;
        }
        const bool in_code = (home.sh_flags & SHF_EXECINSTR) != 0;
        if (!is_function_type(type) || !in_code) {
          // Data: kept only to name PC-relative operands.
          if (!relocatable && sym.st_size > 0 && seen_names.insert(name).second) {
            Symbol data;
            data.name = std::string(name);
            data.address = sym.st_value;
            data.size = sym.st_size;
            data.section = sym.st_shndx;
            data_symbols_.push_back(std::move(data));
          }
          continue;
        }
        Symbol symbol;
        symbol.name = std::string(name);
        symbol.address = sym.st_value;
        symbol.size = sym.st_size;
        symbol.section = sym.st_shndx;
        symbol.dynamic = wanted == SHT_DYNSYM;
        const auto key = std::make_pair(static_cast<std::size_t>(sym.st_shndx), sym.st_value);
        if (pass == 1 && has_symtab_ && seen.contains(key)) continue;  // named by .symtab
        if (pass == 0) seen.insert(key);
        functions_.push_back(std::move(symbol));
      }
    }
  }
  std::sort(data_symbols_.begin(), data_symbols_.end(),
            [](const Symbol& a, const Symbol& b) { return a.address < b.address; });
  {
    // Sort indices, then move each symbol once: moving whole symbols through the sort
    // costs more than the rest of opening a library with tens of thousands of them.
    std::vector<std::uint32_t> order(functions_.size());
    for (std::uint32_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return std::tie(functions_[a].section, functions_[a].address) <
             std::tie(functions_[b].section, functions_[b].address);
    });
    std::vector<Symbol> sorted;
    sorted.reserve(functions_.size());
    for (const std::uint32_t k : order) sorted.push_back(std::move(functions_[k]));
    functions_ = std::move(sorted);
  }
  // Sizeless functions (hand-written assembly) run to the next symbol or section end.
  for (std::size_t k = 0; k < functions_.size(); ++k) {
    Symbol& f = functions_[k];
    if (f.size != 0) continue;
    const GElf_Shdr home = shdr(f.section);
    const std::uint64_t base = ehdr_.e_type == ET_REL ? 0 : home.sh_addr;
    std::uint64_t end = base + home.sh_size;
    for (std::size_t j = k + 1; j < functions_.size(); ++j) {
      if (functions_[j].section != f.section) break;
      if (functions_[j].address > f.address) {
        end = functions_[j].address;
        break;
      }
    }
    f.size = end > f.address ? end - f.address : 0;
  }
  std::erase_if(functions_, [](const Symbol& f) { return f.size == 0; });
  if (ehdr_.e_type != ET_REL) {
    for (const Symbol& f : functions_) functions_by_address_.push_back(&f);
    std::sort(functions_by_address_.begin(), functions_by_address_.end(),
              [](const Symbol* a, const Symbol* b) { return a->address < b->address; });
  }
}

void ElfFile::read_relocations() {
  const bool x86 = arch_ == Arch::kX86_64;
  const std::uint32_t jump_slot = x86 ? R_X86_64_JUMP_SLOT : R_AARCH64_JUMP_SLOT;
  const std::uint32_t glob_dat = x86 ? R_X86_64_GLOB_DAT : R_AARCH64_GLOB_DAT;
  const std::uint32_t abs64 = x86 ? R_X86_64_64 : R_AARCH64_ABS64;
  const std::uint32_t relative = x86 ? R_X86_64_RELATIVE : R_AARCH64_RELATIVE;
  // A function starting at `address`: names GOT slots filled by RELATIVE relocations (a
  // PIE's slots for its own functions carry no symbol, only the address as addend).
  auto entry_point = [&](std::uint64_t address) -> const Symbol* {
    const auto it =
        std::lower_bound(functions_by_address_.begin(), functions_by_address_.end(), address,
                         [](const Symbol* s, std::uint64_t a) { return s->address < a; });
    return it != functions_by_address_.end() && (*it)->address == address ? *it : nullptr;
  };
  for (std::size_t i = 1; i < section_count_; ++i) {
    const GElf_Shdr s = shdr(i);
    if (s.sh_type != SHT_RELA) continue;
    const std::string table = section_name(i);
    if (s.sh_entsize != sizeof(Elf64_Rela) || s.sh_size % sizeof(Elf64_Rela) != 0) {
      fail("relocation section " + table + " has entry size " + std::to_string(s.sh_entsize) +
           ", expected " + std::to_string(sizeof(Elf64_Rela)));
    }
    (void)raw_section(i);
    // sh_link 0 is allowed for relocations without symbols (e.g. only R_*_RELATIVE).
    const auto names = symbol_names_.find(s.sh_link);
    if (s.sh_link != 0 && (s.sh_link >= section_count_ || names == symbol_names_.end())) {
      fail("relocation section " + table + " links to section " + std::to_string(s.sh_link) +
           ", which is not a symbol table");
    }
    Elf_Data* data = elf_getdata(elf_getscn(elf_.get(), i), nullptr);
    if (data == nullptr) fail("cannot read relocation section " + table + ": " + elf_errmsg(-1));
    const std::size_t count = s.sh_size / sizeof(Elf64_Rela);
    const bool relocatable = ehdr_.e_type == ET_REL;
    const bool targets_code = relocatable && s.sh_info > 0 && s.sh_info < section_count_ &&
                              (shdr(s.sh_info).sh_flags & SHF_EXECINSTR) != 0;
    for (std::size_t k = 0; k < count; ++k) {
      GElf_Rela rela{};
      if (gelf_getrela(data, static_cast<int>(k), &rela) == nullptr) {
        fail("cannot read relocation " + std::to_string(k) + " of " + table);
      }
      const std::size_t sym = GELF_R_SYM(rela.r_info);
      const std::uint32_t type = GELF_R_TYPE(rela.r_info);
      std::string_view name;
      if (sym != 0) {
        if (names == symbol_names_.end() || sym >= names->second.size()) {
          fail("relocation " + std::to_string(k) + " of " + table + " refers to symbol " +
               std::to_string(sym) + ", past the end of its symbol table");
        }
        name = names->second[sym];
        if (symbol_types_[s.sh_link][sym] == STT_SECTION) {
          const std::size_t target = symbol_sections_[s.sh_link][sym];
          // A section symbol: the section's name (a view of the stored name, not a temporary).
          const auto section = section_names_.find(target);
          name = section != section_names_.end() ? std::string_view(section->second)
                                                 : std::string_view();
        }
      }
      if (!relocatable) {
        if ((type == jump_slot || type == glob_dat || type == abs64) && !name.empty()) {
          got_slots_[rela.r_offset] = name;
        } else if (type == relative && rela.r_offset >= got_range_.first &&
                   rela.r_offset < got_range_.second) {
          // Only slots of .got are called through; vtables and other data are not named.
          if (const Symbol* entry = entry_point(static_cast<std::uint64_t>(rela.r_addend))) {
            got_slots_[rela.r_offset] = entry->name;
          }
        }
        continue;
      }
      if (!targets_code || name.empty()) continue;
      CodeRelocation reloc;
      reloc.offset = rela.r_offset;
      reloc.type = type;
      reloc.symbol = std::string(name);
      reloc.addend = rela.r_addend;
      reloc.via_got = x86 ? (type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
                             type == R_X86_64_REX_GOTPCRELX)
                          : (type == R_AARCH64_ADR_GOT_PAGE || type == R_AARCH64_LD64_GOT_LO12_NC);
      code_relocations_[s.sh_info].push_back(std::move(reloc));
    }
  }
  for (auto& [section, relocs] : code_relocations_) {
    std::sort(relocs.begin(), relocs.end(),
              [](const CodeRelocation& a, const CodeRelocation& b) { return a.offset < b.offset; });
  }
}

// Names PLT stubs "symbol@plt" the way objdump's synthetic symbols do: decode each PLT
// section, follow each stub's jump through its GOT slot, and name the stub after the
// slot's relocation.
void ElfFile::synthesize_plt_names() {
  if (got_slots_.empty()) return;
  const Decoder decoder(arch_, Syntax::kIntel);
  for (const Section& section : code_sections_) {
    if (section.name != ".plt" && section.name != ".plt.sec" && section.name != ".plt.got" &&
        section.name != ".iplt") {
      continue;
    }
    std::vector<Instruction> code;
    decoder.decode(section_bytes(section), section.address, code);
    std::uint64_t entry = section.address;
    std::map<int, std::uint64_t> regs;  // AArch64: register -> value (adrp page, then slot)
    for (std::size_t k = 0; k < code.size(); ++k) {
      const Instruction& insn = code[k];
      if (arch_ == Arch::kX86_64) {
        if (insn.mnemonic == "endbr64") entry = insn.address;
        if (insn.kind == InsnKind::kIndirectJump && insn.memory_address) {
          const std::uint64_t start =
              (k > 0 && code[k - 1].mnemonic == "endbr64") ? code[k - 1].address : insn.address;
          if (const auto name = got_slot_symbol(*insn.memory_address)) {
            plt_names_.emplace(start, *name + "@plt");
          }
        }
        continue;
      }
      // AArch64 stub: adrp x16, page; ldr x17, [x16, #off]; add x16, x16, #off; br x17
      if (insn.reg_def == RegDef::kConst) {
        regs[insn.def_reg] = static_cast<std::uint64_t>(insn.immediate);
        entry = insn.address;
      } else if (insn.reg_def == RegDef::kLoad && regs.contains(insn.base_reg)) {
        const std::uint64_t slot = regs[insn.base_reg] + static_cast<std::uint64_t>(insn.immediate);
        if (const auto name = got_slot_symbol(slot)) plt_names_.emplace(entry, *name + "@plt");
      }
    }
    (void)entry;
  }
}

void ElfFile::read_build_id() {
  for (std::size_t i = 1; i < section_count_; ++i) {
    const GElf_Shdr s = shdr(i);
    if (s.sh_type != SHT_NOTE) continue;
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

}  // namespace

std::unique_ptr<ObjectFile> open_object_file(const std::string& path) {
  auto file = std::make_unique<ElfFile>(path);
  file->open();
  return file;
}

}  // namespace deferlab::disasm
