#!/usr/bin/env bash
# The issue's 4 GiB run of the full stack on s3rver: write a file through a real mount (FUSE -> MetadataCacheVfs ->
# ContentCacheVfs -> S3Vfs), read it back by sha256, wait until S3 has it, and print the mount's peak RSS.
# Not part of the normal test run (it takes minutes and 3 x SIZE of disk: spill file, s3rver's copy, the test's read);
# the normal run does the same with 1 GiB (tests/Vfs.Fuse.Tests/Stack/StackWriteTests.cs).
# Usage: bench/stack/large-file.sh [MiB]   (default 4096)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/prereqs.sh
ensure_s3rver
mib="${1:-4096}"
dotnet build tests/Vfs.Fuse.Tests/Vfs.Fuse.Tests.csproj -c Release --nologo -v q
VFS_STACK_LARGE_MIB="$mib" dotnet test tests/Vfs.Fuse.Tests/Vfs.Fuse.Tests.csproj -c Release --no-build \
  --filter "FullyQualifiedName~Stack.StackWriteTests.LargeFile" --logger "console;verbosity=detailed" \
  | grep -E "MiB: closed after|Passed|Failed"
