//! Parked calls: who waits in which parking lot space, parked by whom, since when.

use super::Text;

/// A call waiting in a parking lot (AMI 2.x `ParkedCall`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParkedCall {
    /// The parked channel (`ParkeeUniqueid`, `ParkeeChannel`).
    pub uniqueid: Text,
    pub channel: Text,
    /// `Parkinglot` and `ParkingSpace`.
    pub lot: Text,
    pub space: Text,
    /// `ParkerDialString`: where the call returns when its time runs out.
    pub parker: Text,
    /// Seconds it may stay parked, counted from `since` (0: no limit).
    pub timeout: u32,
    /// Unix time it was parked.
    pub since: f64,
}
