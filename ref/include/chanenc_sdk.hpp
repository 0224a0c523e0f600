/*
 * chanenc_sdk.hpp - the SDK's channel-encryption API shape in C++, over
 * chanenc's channel (chanenc_channel.h, docs/spec.md section 11).
 *
 * Code written the way the SDK's channel-encryption guide shows compiles
 * against this header with only the include and the namespace changed:
 *
 *   chanenc::rtc::EncryptionConfig config;
 *   config.encryptionMode = chanenc::rtc::AES_128_GCM2;
 *   config.encryptionKey = "...";
 *   memcpy(config.encryptionKdfSalt, salt, 32);
 *   int rc = engine.enableEncryption(true, config);      // 0, -2, -4 or -1
 *   engine.registerPacketObserver(&myObserver);          // IPacketObserver
 *
 * The SDK moves packets itself; here the engine's sendPacket and
 * receivePacket stand for that (they are ce_channel_send and
 * ce_channel_receive, with their statuses).
 *
 * Header only, no exceptions thrown by the engine. An observer method that
 * throws is caught at the C boundary (an exception must never cross C code,
 * chanenc_channel.h) and the packet fails with CE_ERR_OBSERVER, which the
 * error callback reports as INTERNAL_FAILURE.
 */
#ifndef CHANENC_SDK_HPP
#define CHANENC_SDK_HPP

#include "chanenc_channel.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace chanenc {
namespace rtc {

/* The SDK's ENCRYPTION_MODE; the values are the CE1 mode ids. */
enum ENCRYPTION_MODE {
  AES_128_XTS = 1,
  AES_128_ECB = 2,
  AES_256_XTS = 3,
  SM4_128_ECB = 4,
  AES_128_GCM = 5,
  AES_256_GCM = 6,
  AES_128_GCM2 = 7,
  AES_256_GCM2 = 8,
  MODE_END
};

/* The SDK's EncryptionConfig. encryptionKey is a C string taken as its raw
   bytes (never hex-decoded, docs/spec.md section 3); it is copied by
   enableEncryption. The salt is used by the GCM2 modes only, which refuse
   an all-zero salt. */
struct EncryptionConfig {
  ENCRYPTION_MODE encryptionMode;
  const char *encryptionKey;
  uint8_t encryptionKdfSalt[32];
  bool datastreamEncryptionEnabled;

  EncryptionConfig()
      : encryptionMode(AES_128_GCM2), encryptionKey(nullptr),
        datastreamEncryptionEnabled(false) {
    std::memset(encryptionKdfSalt, 0, sizeof(encryptionKdfSalt));
  }
};

/* The SDK's IPacketObserver: return true to keep the packet, false to drop
   it. To change a packet, point packet.buffer at memory of your own that
   stays valid until the send/receive call returns, and set packet.size
   (chanenc_channel.h, ce_packet_observer). */
class IPacketObserver {
public:
  virtual ~IPacketObserver() {}
  struct Packet {
    const unsigned char *buffer;
    unsigned int size;
    Packet() : buffer(nullptr), size(0) {}
  };
  virtual bool onSendAudioPacket(Packet &packet) = 0;
  virtual bool onSendVideoPacket(Packet &packet) = 0;
  virtual bool onReceiveAudioPacket(Packet &packet) = 0;
  virtual bool onReceiveVideoPacket(Packet &packet) = 0;
};

/* The SDK's packet kinds as the engine's sendPacket/receivePacket take
   them. */
enum PACKET_KIND {
  PACKET_AUDIO = CE_PACKET_AUDIO,
  PACKET_VIDEO = CE_PACKET_VIDEO,
  PACKET_DATA = CE_PACKET_DATA
};

/* One user's end of a channel: the part of the SDK's IRtcEngine that
   channel encryption uses. Not copyable; owns its ce_channel. */
class RtcEngine {
public:
  RtcEngine() : ch_(nullptr) {
    if (ce_channel_new(&ch_) != CE_OK)
      ch_ = nullptr;
  }
  ~RtcEngine() {
    ce_channel_free(ch_);
  }
  RtcEngine(const RtcEngine &) = delete;
  RtcEngine &operator=(const RtcEngine &) = delete;

  /* False when the channel could not be created (memory). */
  bool valid() const {
    return ch_ != nullptr;
  }

  /* The SDK's enableEncryption: 0 on success, -2 for an invalid config, -4
     when the mode's cipher is missing, -1 for an internal failure. */
  int enableEncryption(bool enabled, const EncryptionConfig &config) {
    if (ch_ == nullptr)
      return CE_SDK_ERR_FAILED;
    if (!enabled)
      return ce_channel_enable_encryption(ch_, 0, nullptr);
    ce_config cfg;
    ce_config_init(&cfg);
    cfg.mode = static_cast<int>(config.encryptionMode);
    if (config.encryptionKey != nullptr &&
        ce_config_set_key_str(&cfg, config.encryptionKey) != CE_OK)
      return CE_SDK_ERR_INVALID_ARGUMENT;
    std::memcpy(cfg.salt, config.encryptionKdfSalt, sizeof(cfg.salt));
    cfg.datastream_encryption_enabled =
        config.datastreamEncryptionEnabled ? 1 : 0;
    return ce_channel_enable_encryption(ch_, 1, &cfg);
  }

  /* The SDK's registerPacketObserver: NULL unregisters. 0 on success, -1
     on failure. The observer must outlive its registration. */
  int registerPacketObserver(IPacketObserver *observer) {
    if (ch_ == nullptr)
      return -1;
    static const ce_packet_observer trampolines = {
        send_audio, send_video, receive_audio, receive_video};
    ce_status st = ce_channel_register_packet_observer(
        ch_, observer != nullptr ? &trampolines : nullptr, observer);
    return st == CE_OK ? 0 : -1;
  }

  /* joinChannel / leaveChannel, as far as encryption is concerned: leaving
     disables built-in encryption, as the SDK does. */
  int joinChannel() {
    return ch_ && ce_channel_join(ch_) == CE_OK ? 0 : -1;
  }
  int leaveChannel() {
    return ch_ && ce_channel_leave(ch_) == CE_OK ? 0 : -1;
  }

  /* What the SDK does with each outgoing / incoming packet: the channel
     pipeline in place on (buf, *len, cap); returns the ce_status. */
  int sendPacket(PACKET_KIND kind, uint8_t *buf, size_t *len, size_t cap) {
    return ch_ ? ce_channel_send(ch_, static_cast<ce_packet_kind>(kind), buf,
                                 len, cap)
               : CE_ERR_INVALID_ARGUMENT;
  }
  int receivePacket(PACKET_KIND kind, uint8_t *buf, size_t *len, size_t cap) {
    return ch_ ? ce_channel_receive(ch_, static_cast<ce_packet_kind>(kind), buf,
                                    len, cap)
               : CE_ERR_INVALID_ARGUMENT;
  }

  /* The underlying channel, for the C API (counters, error callback). */
  ce_channel *channel() {
    return ch_;
  }

private:
  typedef bool (IPacketObserver::*Method)(IPacketObserver::Packet &);

  /* C boundary: no exception may cross it. A throwing observer yields a
     packet the channel refuses (CE_ERR_OBSERVER), never a silent drop. */
  static int call(void *user, ce_packet *pkt, Method m) {
    IPacketObserver *o = static_cast<IPacketObserver *>(user);
    IPacketObserver::Packet p;
    p.buffer = pkt->buffer;
    p.size = pkt->size;
    try {
      if (!(o->*m)(p))
        return 0;
    } catch (...) {
      pkt->buffer = nullptr;
      pkt->size = 1;
      return 1;
    }
    pkt->buffer = p.buffer;
    pkt->size = p.size;
    return 1;
  }
  static int send_audio(void *u, ce_packet *p) {
    return call(u, p, &IPacketObserver::onSendAudioPacket);
  }
  static int send_video(void *u, ce_packet *p) {
    return call(u, p, &IPacketObserver::onSendVideoPacket);
  }
  static int receive_audio(void *u, ce_packet *p) {
    return call(u, p, &IPacketObserver::onReceiveAudioPacket);
  }
  static int receive_video(void *u, ce_packet *p) {
    return call(u, p, &IPacketObserver::onReceiveVideoPacket);
  }

  ce_channel *ch_;
};

} // namespace rtc
} // namespace chanenc

#endif /* CHANENC_SDK_HPP */
