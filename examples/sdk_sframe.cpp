/*
 * sdk_sframe.cpp - SFrame (RFC 9605) end-to-end encryption as an
 * IPacketObserver written the SDK guide's way (chanenc_sdk.hpp), between
 * two engines: each engine sends under its own KID and reads the other's.
 * Built-in encryption is off here: SFrame alone protects the media, which
 * is the SDK's "customized encryption" case done with a real AEAD. Run as a
 * test (CTest example_sdk_sframe).
 */
#include "chanenc_sdk.hpp"
#include "chanenc_sframe.h"

#include <cstdio>
#include <cstring>
#include <vector>

using namespace chanenc::rtc;

class SFrameObserver : public IPacketObserver {
public:
  SFrameObserver(ce_sframe_ctx *ctx, uint64_t sendKid)
      : ctx_(ctx), sendKid_(sendKid) {}
  bool onSendAudioPacket(Packet &packet) override {
    return protect(packet, 'a');
  }
  bool onSendVideoPacket(Packet &packet) override {
    return protect(packet, 'v');
  }
  bool onReceiveAudioPacket(Packet &packet) override {
    return unprotect(packet, 'a');
  }
  bool onReceiveVideoPacket(Packet &packet) override {
    return unprotect(packet, 'v');
  }
  int lastReceiveStatus = CE_OK;

private:
  /* The packet kind is authenticated as SFrame metadata. A failure keeps
     the packet with no buffer, which the channel reports as
     CE_ERR_OBSERVER (returning false would be a silent drop). */
  bool protect(Packet &packet, unsigned char kind) {
    sendBuffer_.resize(packet.size + CE_SFRAME_MAX_OVERHEAD);
    size_t len = sendBuffer_.size();
    if (ce_sframe_protect_into(ctx_, sendKid_, &kind, 1, packet.buffer,
                               packet.size, sendBuffer_.data(),
                               &len) != CE_OK) {
      packet.buffer = nullptr;
      packet.size = 1;
      return true;
    }
    packet.buffer = sendBuffer_.data();
    packet.size = static_cast<unsigned int>(len);
    return true;
  }
  bool unprotect(Packet &packet, unsigned char kind) {
    receiveBuffer_.resize(packet.size);
    size_t len = receiveBuffer_.size();
    lastReceiveStatus =
        ce_sframe_unprotect_into(ctx_, &kind, 1, packet.buffer, packet.size,
                                 receiveBuffer_.data(), &len, nullptr, nullptr);
    if (lastReceiveStatus != CE_OK) {
      packet.buffer = nullptr;
      packet.size = 1;
      return true;
    }
    packet.buffer = receiveBuffer_.data();
    packet.size = static_cast<unsigned int>(len);
    return true;
  }
  ce_sframe_ctx *ctx_;
  uint64_t sendKid_;
  std::vector<unsigned char> sendBuffer_, receiveBuffer_;
};

static unsigned long passed, failed;
#define CHECK(cond, what)                                                      \
  do {                                                                         \
    if (cond) {                                                                \
      passed++;                                                                \
    } else {                                                                   \
      failed++;                                                                \
      std::fprintf(stderr, "sdk_sframe: FAILED: %s (%s)\n", what, #cond);      \
    }                                                                          \
  } while (0)

int main() {
  const uint8_t aliceKey[16] = {1, 2,  3,  4,  5,  6,  7,  8,
                                9, 10, 11, 12, 13, 14, 15, 16};
  const uint8_t bobKey[16] = {16, 15, 14, 13, 12, 11, 10, 9,
                              8,  7,  6,  5,  4,  3,  2,  1};
  ce_sframe_ctx *aliceCtx = nullptr, *bobCtx = nullptr;
  CHECK(
      ce_sframe_ctx_new(CE_SFRAME_AES_256_GCM_SHA512_128, &aliceCtx) == CE_OK &&
          ce_sframe_ctx_new(CE_SFRAME_AES_256_GCM_SHA512_128, &bobCtx) == CE_OK,
      "contexts");
  CHECK(ce_sframe_add_key(aliceCtx, 1, CE_SFRAME_SEND, aliceKey, 16) == CE_OK &&
            ce_sframe_add_key(aliceCtx, 2, CE_SFRAME_RECEIVE, bobKey, 16) ==
                CE_OK &&
            ce_sframe_add_key(bobCtx, 2, CE_SFRAME_SEND, bobKey, 16) == CE_OK &&
            ce_sframe_add_key(bobCtx, 1, CE_SFRAME_RECEIVE, aliceKey, 16) ==
                CE_OK,
        "keys");

  RtcEngine alice, bob;
  SFrameObserver aliceObserver(aliceCtx, 1), bobObserver(bobCtx, 2);
  CHECK(alice.registerPacketObserver(&aliceObserver) == 0 &&
            bob.registerPacketObserver(&bobObserver) == 0,
        "observers");
  CHECK(alice.joinChannel() == 0 && bob.joinChannel() == 0, "join");

  std::vector<uint8_t> buf(70000);
  for (size_t n : {0, 1, 160, 1200, 3000, 65535}) {
    for (PACKET_KIND kind : {PACKET_AUDIO, PACKET_VIDEO}) {
      RtcEngine &from = n % 2 ? alice : bob;
      RtcEngine &to = n % 2 ? bob : alice;
      for (size_t i = 0; i < n; i++)
        buf[i] = static_cast<uint8_t>(i ^ n);
      size_t len = n;
      CHECK(from.sendPacket(kind, buf.data(), &len, buf.size()) == CE_OK,
            "send");
      CHECK(len > n, "SFrame ciphertext on the wire");
      CHECK(to.receivePacket(kind, buf.data(), &len, buf.size()) == CE_OK,
            "receive");
      bool same = len == n;
      for (size_t i = 0; same && i < n; i++)
        same = buf[i] == static_cast<uint8_t>(i ^ n);
      CHECK(same, "payload back");
    }
  }

  /* An audio packet delivered as video fails: the kind is authenticated. */
  size_t len = 10;
  std::memset(buf.data(), 1, len);
  CHECK(alice.sendPacket(PACKET_AUDIO, buf.data(), &len, buf.size()) == CE_OK,
        "send audio");
  CHECK(bob.receivePacket(PACKET_VIDEO, buf.data(), &len, buf.size()) ==
                CE_ERR_OBSERVER &&
            bobObserver.lastReceiveStatus == CE_ERR_AUTH_FAILED,
        "audio delivered as video: AUTH_FAILED");

  alice.registerPacketObserver(nullptr);
  bob.registerPacketObserver(nullptr);
  ce_sframe_ctx_free(aliceCtx);
  ce_sframe_ctx_free(bobCtx);
  std::printf("sdk_sframe: %lu passed, %lu failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
