//! Parking lots (AMI 2.x).

use super::{row, run};

#[test]
fn parking_2_x() {
    let rows = vec![
        row(
            "ParkedCall",
            vec![vec![
                ("Event", "ParkedCall"),
                ("ParkeeChannel", "PJSIP/100-1"),
                ("ParkeeUniqueid", "1.1"),
                ("ParkerDialString", "PJSIP/200"),
                ("Parkinglot", "default"),
                ("ParkingSpace", "701"),
                ("ParkingTimeout", "45"),
                ("ParkingDuration", "5"),
                ("TIME", "1000"),
            ]],
            vec![(
                "parkedcall",
                vec![
                    ("uniqueid", "1.1"),
                    ("channel", "PJSIP/100-1"),
                    ("lot", "default"),
                    ("space", "701"),
                    ("parker", "PJSIP/200"),
                    ("timeout", "45"),
                    ("since", "995.000"),
                ],
            )],
        ),
        row(
            "a ParkedCall line of a ParkedCalls answer parks nobody",
            vec![vec![
                ("Event", "ParkedCall"),
                ("ActionID", "parked-1"),
                ("ParkeeChannel", "PJSIP/100-1"),
                ("ParkeeUniqueid", "1.1"),
                ("ParkingSpace", "701"),
            ]],
            vec![],
        ),
        row(
            "UnParkedCall",
            vec![vec![
                ("Event", "UnParkedCall"),
                ("ParkeeUniqueid", "1.1"),
                ("Parkinglot", "default"),
                ("ParkingSpace", "701"),
                ("RetrieverUniqueid", "1.3"),
                ("RetrieverChannel", "PJSIP/300-3"),
            ]],
            vec![(
                "unparkedcall",
                vec![
                    ("uniqueid", "1.1"),
                    ("space", "701"),
                    ("retriever", "1.3"),
                    ("retrieverchannel", "PJSIP/300-3"),
                ],
            )],
        ),
        row(
            "ParkedCallTimeOut",
            vec![vec![
                ("Event", "ParkedCallTimeOut"),
                ("ParkeeUniqueid", "1.1"),
                ("ParkingSpace", "701"),
            ]],
            vec![(
                "parkedcalltimeout",
                vec![("uniqueid", "1.1"), ("space", "701")],
            )],
        ),
        row(
            "ParkedCallGiveUp",
            vec![vec![
                ("Event", "ParkedCallGiveUp"),
                ("ParkeeUniqueid", "1.1"),
                ("ParkingSpace", "701"),
            ]],
            vec![(
                "parkedcallgiveup",
                vec![("uniqueid", "1.1"), ("space", "701")],
            )],
        ),
    ];
    for r in &rows {
        run(r);
    }
}
