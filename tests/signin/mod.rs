//! Signing in and hearing back the way Chinese families do (issue 17): WeChat, phone and SMS.

mod logs;
mod phone;
mod wechat;
