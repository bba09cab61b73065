"""Who is speaking: email addresses a reader has confirmed (the notifications issue sends the
link), and later single sign-on identities, sanctions and a reader's own data."""
