// The checksums other migration tools record for a file, computed the way each tool computes
// them, so `strata import` can tell whether a file changed after the tool applied it.
// Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::import {

// CRC-32 (IEEE 802.3, the one java.util.zip.CRC32 computes) of `bytes`, continuing `crc`.
std::uint32_t Crc32(std::string_view bytes, std::uint32_t crc = 0);

// Flyway's checksum of a SQL migration (ChecksumCalculator): the CRC-32 of the file's lines
// without their line terminators (\n, \r\n or \r) and without a leading BOM, as the signed
// 32-bit integer flyway_schema_history.checksum holds.
std::int32_t FlywayChecksum(std::string_view bytes);

// Liquibase's checksum (algorithm version 9, Liquibase 4.24 and later) of a formatted-SQL
// changeset whose SQL is `sql`: "9:" + MD5 of the text "9:<md5 of the SQL without spaces,
// tabs and line breaks>:". This is what DATABASECHANGELOG.MD5SUM holds for such a changeset.
std::string LiquibaseChecksumV9(std::string_view sql);

// Lower-case hex MD5 and SHA-1 of `bytes`.
std::string Md5Hex(std::string_view bytes);
std::string Sha1Hex(std::string_view bytes);

}  // namespace strata::import
