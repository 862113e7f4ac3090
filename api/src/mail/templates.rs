//! Texts of the e-mails. Bilingual (Chinese first), because an e-mail is read later, outside the
//! request whose language we knew, and may be forwarded within the family.

/// A rendered e-mail.
pub struct Mail {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

fn both(subject_zh: &str, subject_en: &str, zh: String, en: String) -> Mail {
    Mail { subject: format!("{subject_zh} / {subject_en}"), body: format!("{zh}\n\n----\n\n{en}\n") }
}

/// Address verification after registration.
pub fn verify_email(public_url: &str, token: &str) -> Mail {
    let link = format!("{public_url}/verify-email?token={token}");
    both(
        "请验证您的邮箱",
        "Please verify your e-mail address",
        format!("您好！请打开以下链接完成邮箱验证（24 小时内有效）：\n{link}\n\n验证码：{token}"),
        format!("Hello! Open this link to verify your e-mail address (valid for 24 hours):\n{link}\n\nCode: {token}"),
    )
}

/// Password reset link.
pub fn reset_password(public_url: &str, token: &str) -> Mail {
    let link = format!("{public_url}/reset-password?token={token}");
    both(
        "重置密码",
        "Reset your password",
        format!(
            "有人请求重置您的童心账户密码。如是您本人操作，请在 1 小时内打开：\n{link}\n\n重置码：{token}\n如非本人操作，请忽略本邮件。"
        ),
        format!(
            "Someone asked to reset your Tongxin password. If it was you, open within 1 hour:\n{link}\n\nCode: {token}\nIf not, ignore this e-mail."
        ),
    )
}

/// Invitation for a new staff account to set a password.
pub fn staff_invitation(public_url: &str, token: &str, role: &str) -> Mail {
    let link = format!("{public_url}/reset-password?token={token}");
    both(
        "童心工作人员账户已开通",
        "Your Tongxin staff account",
        format!("管理员已为您开通童心工作人员账户（角色：{role}）。请在 72 小时内打开以下链接设置密码：\n{link}\n\n设置码：{token}"),
        format!(
            "An administrator created a Tongxin staff account for you (role: {role}). Set your password within 72 hours:\n{link}\n\nCode: {token}"
        ),
    )
}

/// Generic notification with a subject and a line in both languages.
pub fn notice(subject_zh: &str, subject_en: &str, zh: String, en: String) -> Mail {
    both(subject_zh, subject_en, zh, en)
}

/// Invitation of a second guardian into a household.
pub fn household_invitation(public_url: &str, token: &str) -> Mail {
    let link = format!("{public_url}/household-invitation?token={token}");
    both(
        "邀请您加入童心家庭",
        "Invitation to join a Tongxin household",
        format!(
            "另一位监护人邀请您共同管理家庭中孩子的信息。请用本邮箱注册或登录后，在 7 天内打开：\n{link}\n\n邀请码：{token}\n如您不认识邀请人，请忽略本邮件。"
        ),
        format!(
            "Another guardian invited you to manage the children's records of their household together. Sign in with this address and open within 7 days:\n{link}\n\nCode: {token}\nIf you do not know the sender, ignore this e-mail."
        ),
    )
}
