// Tests tools/output.cc, harness/atomic_file.cc and the EPIPE/ENOSPC paths of disasm,
// report and compare through the deferlab binary: a full device, a closed pipe, -o onto a
// FIFO, a symlink, a device node and a directory, and a read-only run directory. Each ends
// with one line (or, for a closed pipe, quietly by SIGPIPE), never an abort, never a
// temporary file left or a device replaced.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/tools/cli_test_support.h"

namespace deferlab::tools::testing {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool is_character_device(const fs::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
}

// No abort message, no sanitizer report: the process ended through its own error path.
void expect_no_abort(const CliResult& r) {
  EXPECT_EQ(r.err_text().find("terminate called"), std::string::npos) << r.err_text();
  EXPECT_NE(r.exit_code, 134) << r.err_text();
}

// A run directory of the sample binary, made once for the suite (about a second).
class OutputFaultsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    run_dir_ = new fs::path(fresh_directory("faults-run") / "run");
    const CliResult r = run_deferlab({"run", "--binary", SAMPLE_BENCH, "--repetitions", "2",
                                      "--min-time", "0.001", "--out", run_dir_->string()});
    ASSERT_EQ(r.exit_code, 0) << r.err_text();
  }
  static void TearDownTestSuite() {
    delete run_dir_;
    run_dir_ = nullptr;
  }
  static const fs::path& run_dir() { return *run_dir_; }

 private:
  static fs::path* run_dir_;
};
fs::path* OutputFaultsTest::run_dir_ = nullptr;

// Makes a directory unwritable for this process, and undoes it. Permission bits for an
// ordinary user; for root, whom they do not stop, the immutable attribute (FS_IOC_SETFLAGS).
class ReadOnlyDirectory {
 public:
  explicit ReadOnlyDirectory(fs::path dir) : dir_(std::move(dir)) {
    if (::geteuid() != 0) {
      fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
    } else {
      fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      int flags = 0;
      if (fd_ >= 0 && ::ioctl(fd_, FS_IOC_GETFLAGS, &flags) == 0) {
        flags |= FS_IMMUTABLE_FL;
        immutable_ = ::ioctl(fd_, FS_IOC_SETFLAGS, &flags) == 0;
      }
    }
  }
  ~ReadOnlyDirectory() {
    if (immutable_) {
      int flags = 0;
      ::ioctl(fd_, FS_IOC_GETFLAGS, &flags);
      flags &= ~FS_IMMUTABLE_FL;
      ::ioctl(fd_, FS_IOC_SETFLAGS, &flags);
    }
    if (fd_ >= 0) ::close(fd_);
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, ec);
  }
  // True when creating a file in it really fails.
  bool holds() const {
    const fs::path probe = dir_ / "probe";
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) return true;
    ::close(fd);
    ::unlink(probe.c_str());
    return false;
  }

 private:
  fs::path dir_;
  int fd_ = -1;
  bool immutable_ = false;
};

TEST_F(OutputFaultsTest, DisasmAllOntoAFullDeviceIsOneErrorLine) {
  CliOptions options;
  options.shell_tail = "> /dev/full";
  const CliResult r = run_deferlab({"disasm", LAB_BINARY, "--all"}, options);
  expect_no_abort(r);
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "No space left on device (stdout)");
}

TEST_F(OutputFaultsTest, ReportMarkdownOntoAFullDeviceIsOneErrorLine) {
  CliOptions options;
  options.shell_tail = "> /dev/full";
  const CliResult r = run_deferlab({"report", run_dir().string(), "-f", "md"}, options);
  expect_no_abort(r);
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "No space left on device (stdout)");
}

TEST_F(OutputFaultsTest, CompareOntoAFullDeviceIsOneErrorLine) {
  const fs::path bench = run_dir() / "bench.json";
  const CliResult r = run_deferlab({"compare", bench.string(), bench.string(), "-o", "/dev/full"});
  expect_no_abort(r);
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "No space left on device (/dev/full)");
  EXPECT_TRUE(is_character_device("/dev/full"));
}

TEST_F(OutputFaultsTest, AReaderThatGoesAwayEndsDisasmQuietly) {
  // Megabytes of NDJSON into `head -1`: the write fails with EPIPE long before the end.
  CliOptions options;
  options.shell_tail = "| head -c 100 > /dev/null";
  const CliResult r = run_deferlab({"disasm", LAB_BINARY, "--all"}, options);
  expect_no_abort(r);
  // Killed by SIGPIPE, as coreutils are, and nothing said.
  EXPECT_EQ(r.exit_code, 128 + SIGPIPE) << r.err_text();
  EXPECT_TRUE(r.err.empty()) << r.err_text();
}

TEST_F(OutputFaultsTest, OutputOntoAFifoIsWrittenThrough) {
  const fs::path fifo = fresh_directory("fifo") / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  std::string received;
  std::thread reader([&] { received = read_text(fifo); });
  const CliResult r = run_deferlab({"report", run_dir().string(), "-f", "md", "-o", fifo.string()});
  // Had deferlab failed before opening the FIFO, the reader would wait forever: a writer
  // opened and closed here ends it (and fails harmlessly when the reader is done).
  const int unblock = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
  if (unblock >= 0) ::close(unblock);
  reader.join();
  EXPECT_EQ(r.exit_code, 0) << r.err_text();
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced";
  EXPECT_EQ(received.rfind("## deferlab", 0), 0u) << received.substr(0, 200);
  EXPECT_TRUE(temporaries_in(fifo.parent_path()).empty());
}

TEST_F(OutputFaultsTest, OutputOntoASymlinkReplacesItsTargetAtomically) {
  const fs::path dir = fresh_directory("symlink");
  std::ofstream(dir / "target.md") << "old\n";
  fs::create_symlink("target.md", dir / "link.md");
  const CliResult r =
      run_deferlab({"report", run_dir().string(), "-f", "md", "-o", (dir / "link.md").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err_text();
  ASSERT_TRUE(fs::is_symlink(dir / "link.md")) << "the link itself was replaced";
  EXPECT_EQ(fs::read_symlink(dir / "link.md"), "target.md");
  EXPECT_EQ(read_text(dir / "target.md").rfind("## deferlab", 0), 0u);
  EXPECT_TRUE(temporaries_in(dir).empty());
}

TEST_F(OutputFaultsTest, OutputOntoADeviceIsWrittenThroughNeverReplaced) {
  // Device nodes of our own where we may make them (root); else the system's, which the
  // rule protects all the same.
  const fs::path dir = fresh_directory("devices");
  fs::path null_device = dir / "null";
  fs::path full_device = dir / "full";
  if (::mknod(null_device.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0 ||
      ::mknod(full_device.c_str(), S_IFCHR | 0666, ::makedev(1, 7)) != 0) {
    null_device = "/dev/null";
    full_device = "/dev/full";
  }
  const CliResult to_null =
      run_deferlab({"report", run_dir().string(), "-f", "md", "-o", null_device.string()});
  EXPECT_EQ(to_null.exit_code, 0) << to_null.err_text();
  EXPECT_TRUE(is_character_device(null_device));

  const CliResult to_full =
      run_deferlab({"report", run_dir().string(), "-f", "md", "-o", full_device.string()});
  EXPECT_EQ(to_full.exit_code, 2);
  expect_one_error_line(to_full, "No space left on device");
  EXPECT_TRUE(is_character_device(full_device)) << "the device node was replaced";
  EXPECT_TRUE(temporaries_in(dir).empty());
}

TEST_F(OutputFaultsTest, OutputOntoADirectoryIsRefused) {
  const fs::path dir = fresh_directory("into-dir");
  const CliResult r = run_deferlab({"report", run_dir().string(), "-f", "md", "-o", dir.string()});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "refusing to write output: is a directory");
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST_F(OutputFaultsTest, AReadOnlyRunDirectoryKeepsItsOldReportSet) {
  const fs::path dir = fresh_directory("read-only") / "run";
  fs::copy(run_dir(), dir);
  std::ofstream(dir / "review.md") << "old review\n";
  const std::string old_json = read_text(dir / "report.json");
  {
    const ReadOnlyDirectory read_only(dir);
    ASSERT_TRUE(read_only.holds()) << "cannot make a read-only directory here";
    const CliResult r = run_deferlab({"report", dir.string()});
    expect_no_abort(r);
    EXPECT_EQ(r.exit_code, 2);
    expect_one_error_line(r, "cannot create file");
  }
  EXPECT_EQ(read_text(dir / "review.md"), "old review\n");
  EXPECT_EQ(read_text(dir / "report.json"), old_json);
  EXPECT_TRUE(temporaries_in(dir).empty());
}

TEST_F(OutputFaultsTest, RunIntoAReadOnlyOutFailsBeforeRunning) {
  const fs::path dir = fresh_directory("read-only-out");
  const ReadOnlyDirectory read_only(dir);
  ASSERT_TRUE(read_only.holds()) << "cannot make a read-only directory here";
  const CliResult r = run_deferlab({"run", "--binary", SAMPLE_BENCH, "--out", dir.string()});
  EXPECT_EQ(r.exit_code, 2);
  expect_one_error_line(r, "the run directory is not writable");
  // Refused before the benchmarks ran: no progress was shown.
  EXPECT_EQ(r.err_text().find("deferlab: running"), std::string::npos) << r.err_text();
}

}  // namespace
}  // namespace deferlab::tools::testing
