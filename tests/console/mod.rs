//! The staff workbench at `/console`, tested in a real headless browser against a real server:
//! sign-in, the live department queue and a request worked to the end, an organization's
//! sessions and attendance, civil affairs verifying an organization. Each main screen is checked
//! with axe-core and photographed at 1366×768 and 390×844 into `docs/console/`.

mod assets;
mod browser;
mod desks;
mod queue;
