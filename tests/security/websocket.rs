//! (filled by the websocket work)
