/*
 * sdk_observer.cpp - custom encryption written the way the SDK's guide
 * shows it (an IPacketObserver subclass with per-direction buffers that
 * XORs every byte with 0x55), compiled against chanenc_sdk.hpp with only
 * the include and the namespace changed, and run between two engines.
 *
 * Unlike the guide's sample it never truncates: its buffers grow to the
 * packet (the guide's stop at 2,048 bytes and report a shorter packet).
 * XOR is not encryption; built-in GCM2 encryption runs underneath, as the
 * guide combines them. Run as a test (CTest example_sdk_observer).
 */
#include "chanenc_sdk.hpp"

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

using namespace chanenc::rtc;

class PacketObserver : public IPacketObserver {
public:
  bool onSendAudioPacket(Packet &packet) override {
    return xorPacket(packet, sendBuffer_);
  }
  bool onSendVideoPacket(Packet &packet) override {
    return xorPacket(packet, sendBuffer_);
  }
  bool onReceiveAudioPacket(Packet &packet) override {
    return xorPacket(packet, receiveBuffer_);
  }
  bool onReceiveVideoPacket(Packet &packet) override {
    if (throwOnVideo)
      throw std::runtime_error("observer failure");
    return xorPacket(packet, receiveBuffer_);
  }
  bool throwOnVideo = false;

private:
  /* The guide's loop, with the buffer sized to the packet. Send callbacks
     run one at a time and so do receive callbacks, so one buffer per
     direction is enough. */
  static bool xorPacket(Packet &packet, std::vector<unsigned char> &buffer) {
    buffer.resize(packet.size);
    for (unsigned int i = 0; i < packet.size; i++)
      buffer[i] = packet.buffer[i] ^ 0x55;
    packet.buffer = buffer.data();
    return true;
  }
  std::vector<unsigned char> sendBuffer_, receiveBuffer_;
};

static unsigned long passed, failed;
#define CHECK(cond, what)                                                      \
  do {                                                                         \
    if (cond) {                                                                \
      passed++;                                                                \
    } else {                                                                   \
      failed++;                                                                \
      std::fprintf(stderr, "sdk_observer: FAILED: %s (%s)\n", what, #cond);    \
    }                                                                          \
  } while (0)

int main() {
  RtcEngine alice, bob;
  PacketObserver aliceObserver, bobObserver;
  CHECK(alice.valid() && bob.valid(), "engines");

  EncryptionConfig config;
  config.encryptionMode = AES_128_GCM2;
  config.encryptionKey = "guide-style-key";
  for (int i = 0; i < 32; i++)
    config.encryptionKdfSalt[i] = static_cast<uint8_t>(i + 1);

  EncryptionConfig noSalt = config;
  std::memset(noSalt.encryptionKdfSalt, 0, 32);
  CHECK(alice.enableEncryption(true, noSalt) == -2, "GCM2 without salt: -2");

  CHECK(alice.enableEncryption(true, config) == 0, "alice enableEncryption");
  CHECK(bob.enableEncryption(true, config) == 0, "bob enableEncryption");
  CHECK(alice.registerPacketObserver(&aliceObserver) == 0, "alice observer");
  CHECK(bob.registerPacketObserver(&bobObserver) == 0, "bob observer");
  CHECK(alice.joinChannel() == 0 && bob.joinChannel() == 0, "join");

  const size_t sizes[] = {0, 1, 160, 1200, 2048, 2049, 3000, 65535};
  std::vector<uint8_t> buf(65535 + 128), sent;
  for (size_t n : sizes) {
    for (PACKET_KIND kind : {PACKET_AUDIO, PACKET_VIDEO}) {
      sent.resize(n);
      for (size_t i = 0; i < n; i++)
        sent[i] = static_cast<uint8_t>(i * 7 + n);
      if (n > 0) /* sent.data() may be NULL when empty */
        std::memcpy(buf.data(), sent.data(), n);
      size_t len = n;
      CHECK(alice.sendPacket(kind, buf.data(), &len, buf.size()) == CE_OK,
            "send");
      /* On the wire: the GCM2 frame (26 bytes more), XORed. */
      CHECK(len == n + 26 && (buf[0] ^ 0x55) == (0x10 | AES_128_GCM2),
            "wire packet is the XORed frame");
      CHECK(bob.receivePacket(kind, buf.data(), &len, buf.size()) == CE_OK,
            "receive");
      CHECK(len == n &&
                (n == 0 || std::memcmp(buf.data(), sent.data(), n) == 0),
            "payload back, not truncated");
    }
  }

  /* A throwing observer fails the packet (CE_ERR_OBSERVER), the caller's
     buffer unchanged. */
  size_t len = 100;
  std::memset(buf.data(), 7, len);
  CHECK(alice.sendPacket(PACKET_VIDEO, buf.data(), &len, buf.size()) == CE_OK,
        "send before throwing");
  std::vector<uint8_t> wire(buf.begin(), buf.begin() + len);
  bobObserver.throwOnVideo = true;
  CHECK(bob.receivePacket(PACKET_VIDEO, buf.data(), &len, buf.size()) ==
            CE_ERR_OBSERVER,
        "exception becomes CE_ERR_OBSERVER");
  CHECK(len == wire.size() && std::memcmp(buf.data(), wire.data(), len) == 0,
        "buffer unchanged");

  std::printf("sdk_observer: %lu passed, %lu failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
