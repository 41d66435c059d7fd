// PNG by hand (PNG spec, ISO/IEC 15948): signature, IHDR, one IDAT holding a zlib
// stream of stored deflate blocks (RFC 1950/1951), IEND; CRC-32 per chunk, Adler-32
// over the raw rows; then base64 (RFC 4648).
#include "plot/png.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "hinge/errors.hpp"

namespace hinge::lang::report {

namespace {

std::uint32_t crc32(const std::string& bytes, std::size_t from) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = from; i < bytes.size(); ++i)
    c = table[(c ^ static_cast<unsigned char>(bytes[i])) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

void put32(std::string& s, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> shift) & 0xFF);
}

void chunk(std::string& png, const char* type, const std::string& data) {
  put32(png, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = png.size();
  png += type;
  png += data;
  put32(png, crc32(png, start));
}

std::string base64(const std::string& in) {
  static constexpr char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
    out += digits[(n >> 18) & 63];
    out += digits[(n >> 12) & 63];
    out += i + 1 < in.size() ? digits[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? digits[n & 63] : '=';
  }
  return out;
}

}  // namespace

std::string png_data_uri(const std::vector<Rgb>& pixels, std::size_t w, std::size_t h) {
  if (w == 0 || h == 0 || pixels.size() != w * h || w > 100000 || h > 100000)
    throw DomainError("png: the raster does not hold width x height pixels");
  // The raw image: each row a filter byte (0, none) and its RGB triples.
  std::string raw;
  raw.reserve(h * (1 + 3 * w));
  for (std::size_t j = 0; j < h; ++j) {
    raw += '\0';
    for (std::size_t i = 0; i < w; ++i) {
      const Rgb& c = pixels[j * w + i];
      raw += static_cast<char>(c.r);
      raw += static_cast<char>(c.g);
      raw += static_cast<char>(c.b);
    }
  }
  std::string z = {'\x78', '\x01'};  // deflate, 32 kB window, no dictionary; 0x7801 % 31 == 0
  for (std::size_t at = 0; at < raw.size(); at += 65535) {
    const std::size_t n = std::min<std::size_t>(65535, raw.size() - at);
    z += static_cast<char>(at + n >= raw.size() ? 1 : 0);  // BFINAL on the last; BTYPE 00, stored
    z += static_cast<char>(n & 0xFF);
    z += static_cast<char>(n >> 8);
    z += static_cast<char>(~n & 0xFF);
    z += static_cast<char>((~n >> 8) & 0xFF);
    z.append(raw, at, n);
  }
  std::uint32_t a = 1, b = 0;
  for (unsigned char ch : raw) {
    a = (a + ch) % 65521;
    b = (b + a) % 65521;
  }
  put32(z, (b << 16) | a);

  std::string png = "\x89PNG\r\n\x1A\n";
  std::string ihdr;
  put32(ihdr, static_cast<std::uint32_t>(w));
  put32(ihdr, static_cast<std::uint32_t>(h));
  ihdr +=
      std::string{'\x08', '\x02', '\0', '\0', '\0'};  // 8 bits, RGB, deflate, adaptive filters, no interlace
  chunk(png, "IHDR", ihdr);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", "");
  return "data:image/png;base64," + base64(png);
}

}  // namespace hinge::lang::report
