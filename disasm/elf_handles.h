// RAII for the C handles the ELF reader holds (file descriptor, libelf's Elf, libdw's
// Dwarf) and the read-only mapping of the file that every checked read slices.
#pragma once

#include <elfutils/libdw.h>
#include <libelf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <span>

namespace deferlab::disasm::elf {

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

}  // namespace deferlab::disasm::elf
