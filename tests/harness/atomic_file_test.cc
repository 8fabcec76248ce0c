// Tests harness/atomic_file.cc: a temporary never outlives its writer (destructor, failed
// commit, unlink_live_temporaries as a signal handler calls it), commits are whole, and a
// set of files is renamed only once every file is written.
#include "harness/atomic_file.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace deferlab {
namespace {

namespace fs = std::filesystem;

fs::path fresh_directory(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) /
                       ("deferlab-atomic-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(AtomicFileTest, CommitReplacesTheFileAndKeepsItsMode) {
  const fs::path dir = fresh_directory("commit");
  std::ofstream(dir / "f") << "old";
  fs::permissions(dir / "f", fs::perms::owner_read | fs::perms::owner_write);
  write_file_atomically(dir / "f", "new");
  EXPECT_EQ(read_text(dir / "f"), "new");
  EXPECT_EQ(fs::status(dir / "f").permissions(), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(entries(dir), 1u);  // no temporary beside it
}

TEST(AtomicFileTest, AnUncommittedTemporaryIsRemoved) {
  const fs::path dir = fresh_directory("uncommitted");
  std::ofstream(dir / "f") << "old";
  {
    TemporaryFile file(dir / "f");
    file.write("half");
    EXPECT_EQ(entries(dir), 2u);  // the temporary exists while it is written
  }
  EXPECT_EQ(read_text(dir / "f"), "old");
  EXPECT_EQ(entries(dir), 1u);
}

TEST(AtomicFileTest, ASignalHandlerCanRemoveLiveTemporaries) {
  const fs::path dir = fresh_directory("signal");
  TemporaryFile file(dir / "f");
  file.write("partial");
  const ScratchFile scratch(dir / ".raw");
  std::ofstream(scratch.path()) << "written by a child";
  EXPECT_EQ(entries(dir), 2u);
  unlink_live_temporaries();  // what the handler calls before re-raising
  EXPECT_EQ(entries(dir), 0u);
}

TEST(AtomicFileTest, AFailedCommitLeavesNoTemporary) {
  const fs::path dir = fresh_directory("failed-rename");
  fs::create_directory(dir / "target");  // a non-empty directory cannot be renamed over
  std::ofstream(dir / "target" / "inside") << "x";
  TemporaryFile file(dir / "target");
  file.write("content");
  EXPECT_THROW(file.commit(), Error);
  EXPECT_EQ(entries(dir), 1u);  // the directory alone
}

TEST(AtomicFileTest, ASetIsRenamedOnlyWhenEveryFileIsWritten) {
  const fs::path dir = fresh_directory("set");
  std::ofstream(dir / "a") << "old a";
  // The second file cannot be created: the first must not be replaced either.
  EXPECT_THROW(write_files_atomically({{dir / "a", "new a"}, {dir / "missing" / "b", "new b"}}),
               Error);
  EXPECT_EQ(read_text(dir / "a"), "old a");
  EXPECT_EQ(entries(dir), 1u);
  write_files_atomically({{dir / "a", "new a"}, {dir / "b", "new b"}});
  EXPECT_EQ(read_text(dir / "a"), "new a");
  EXPECT_EQ(read_text(dir / "b"), "new b");
  EXPECT_EQ(entries(dir), 2u);
}

TEST(AtomicFileTest, ATemporaryIsNeverCreatedThroughASymlink) {
  // O_EXCL | O_NOFOLLOW: a link planted at each name a temporary could take (this process
  // has made far fewer than 1024) is never written through; after a few names are found
  // taken the write fails.
  const fs::path dir = fresh_directory("planted");
  std::ofstream(dir / "victim") << "precious";
  for (int n = 0; n < 1024; ++n) {
    fs::create_symlink(dir / "victim",
                       dir / (".f.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(n)));
  }
  EXPECT_THROW(write_file_atomically(dir / "f", "content"), Error);
  EXPECT_EQ(read_text(dir / "victim"), "precious");
  EXPECT_FALSE(fs::exists(dir / "f"));
}

}  // namespace
}  // namespace deferlab
