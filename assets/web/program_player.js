// The live program in a <video>: the studio's HLS played with hls.js (or
// natively on Safari/iOS). The playlist appears only once the studio's HLS
// output has written its first segments; until then the player says 'soon'
// and looks again every few seconds. /api/public-status is asked first so that a
// show without HLS does not fill the console with 404s, and for where the
// playlist is (a public edge names its own: a path on its origin or the CDN's
// https:// URL). Shared by the viewer page and the host's monitor.

const kPlaylist = '/hls/program.m3u8';

// The playlist public-status names, when it is one the page may load: a path
// on this origin or an http(s) URL; otherwise the studio's own.
export function playlistOf(publicStatus) {
  const named = publicStatus && publicStatus.hls && publicStatus.hls.playlist;
  if (typeof named !== 'string' || named.length > 2048) return kPlaylist;
  if (named.startsWith('/') && !named.startsWith('//')) return named;
  if (/^https?:\/\/[^\s/?#]+\//.test(named)) return named;
  return kPlaylist;
}
const kRetryMs = 4000;

export class ProgramPlayer {
  // onState(state): 'soon' | 'playing' | 'unsupported'.
  constructor(videoElement, onState) {
    this.video = videoElement;
    this.onState = onState;
    this.hls = null;
    this.retryTimer = null;
    this.state = 'soon';
    // Native HLS (no hls.js) reports through the element itself.
    this.video.addEventListener('loadedmetadata', () => {
      if (!this.hls) this.setState('playing');
    });
    this.video.addEventListener('error', () => {
      if (this.hls || this.state === 'unsupported' || !this.video.getAttribute('src')) return;
      this.stop();
      this.setState('soon');
      this.scheduleRetry();
    });
  }

  setState(next) {
    this.state = next;
    this.onState(next);
  }

  scheduleRetry() {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.start(), kRetryMs);
  }

  stop() {
    if (this.hls) {
      this.hls.destroy();
      this.hls = null;
    }
    this.video.removeAttribute('src');
    this.video.load();
  }

  // The playlist's URL once it can be played, else null.
  static async playlistAvailable() {
    try {
      let url = kPlaylist;
      const status = await fetch('/api/public-status', { cache: 'no-store' });
      if (status.ok) {
        const body = await status.json();
        if (body && body.hls && typeof body.hls.state === 'string' && body.hls.state !== 'running') return null;
        url = playlistOf(body);
      }
      const playlist = await fetch(url, { cache: 'no-store' });
      return playlist.ok ? url : null;
    } catch {
      return null; // Studio unreachable: try again later.
    }
  }

  async start() {
    clearTimeout(this.retryTimer);
    const playlist = await ProgramPlayer.playlistAvailable();
    if (!playlist) {
      this.setState('soon');
      this.scheduleRetry();
      return;
    }
    const Hls = window.Hls;
    if (Hls && Hls.isSupported()) {
      // No worker: hls.js makes it from a blob: URL, which the page's
      // script-src 'self' forbids.
      const hls = new Hls({ enableWorker: false, lowLatencyMode: true, debug: false });
      this.hls = hls;
      let mediaRecoveries = 0;
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        this.setState('playing');
        this.video.play().catch(() => {}); // Autoplay may be refused; controls remain.
      });
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data || !data.fatal || hls !== this.hls) return;
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 3) {
          mediaRecoveries += 1;
          hls.recoverMediaError();
          return;
        }
        this.stop();
        this.setState('soon');
        this.scheduleRetry();
      });
      hls.loadSource(playlist);
      hls.attachMedia(this.video);
    } else if (this.video.canPlayType('application/vnd.apple.mpegurl')) {
      // Safari and iOS play HLS natively.
      this.video.src = playlist;
      this.video.play().catch(() => {});
    } else {
      this.setState('unsupported');
    }
  }
}
