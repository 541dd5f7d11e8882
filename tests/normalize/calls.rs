//! Channels joined in one call: AMI 1.x and 2.x bridges, Local halves, the trunk variable.

use super::{row, run, UNIQUE as unique};

#[test]
fn two_channels_joined() {
    let rows = vec![
        row(
            "1.x Bridge Link",
            vec![vec![
                ("Event", "Bridge"),
                ("Bridgestate", "Link"),
                ("Channel1", "SIP/100-1"),
                ("Channel2", "SIP/200-2"),
                ("Uniqueid1", "1.1"),
                ("Uniqueid2", "1.2"),
                ("CallerID1", "100"),
                ("CallerID2", "200"),
            ]],
            vec![("bridge", vec![("uniqueid1", "1.1"), ("uniqueid2", "1.2")])],
        ),
        row(
            "1.x Bridge Unlink is not a bridge",
            vec![vec![
                ("Event", "Bridge"),
                ("Bridgestate", "Unlink"),
                ("Channel1", "SIP/100-1"),
                ("Channel2", "SIP/200-2"),
                ("Uniqueid1", "1.1"),
                ("Uniqueid2", "1.2"),
            ]],
            vec![],
        ),
        row(
            "1.4 Link",
            vec![vec![
                ("Event", "Link"),
                ("Channel1", "SIP/100-1"),
                ("Channel2", "SIP/200-2"),
                ("Uniqueid1", "1.1"),
                ("Uniqueid2", "1.2"),
            ]],
            vec![("bridge", vec![("uniqueid1", "1.1"), ("uniqueid2", "1.2")])],
        ),
        row(
            "2.x BridgeEnter of a second member bridges it with the first",
            vec![
                vec![
                    ("Event", "BridgeCreate"),
                    ("BridgeUniqueid", "b1"),
                    ("BridgeType", "basic"),
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "b1"),
                    ("Channel", "PJSIP/100-1"),
                    unique,
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "b1"),
                    ("BridgeType", "basic"),
                    ("BridgeNumChannels", "2"),
                    ("Channel", "PJSIP/200-2"),
                    ("Uniqueid", "1.2"),
                ],
            ],
            vec![
                (
                    "bridgeenter",
                    vec![
                        ("bridge", "b1"),
                        ("uniqueid", "1.2"),
                        ("bridgetype", "basic"),
                        ("numchannels", "2"),
                    ],
                ),
                ("bridge", vec![("uniqueid1", "1.1"), ("uniqueid2", "1.2")]),
            ],
        ),
        row(
            "2.x BridgeCreate",
            vec![vec![
                ("Event", "BridgeCreate"),
                ("BridgeUniqueid", "b1"),
                ("BridgeType", "basic"),
                ("BridgeTechnology", "simple_bridge"),
            ]],
            vec![(
                "bridgecreate",
                vec![
                    ("bridge", "b1"),
                    ("bridgetype", "basic"),
                    ("technology", "simple_bridge"),
                ],
            )],
        ),
        row(
            "2.x BridgeEnter of the first member joins nobody",
            vec![vec![
                ("Event", "BridgeEnter"),
                ("BridgeUniqueid", "b1"),
                ("Channel", "PJSIP/100-1"),
                unique,
            ]],
            vec![("bridgeenter", vec![("bridge", "b1"), ("uniqueid", "1.1")])],
        ),
        row(
            "2.x a parking lot (BridgeType parking, technology holding_bridge) joins nobody",
            vec![
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "lot"),
                    ("BridgeType", "parking"),
                    ("BridgeTechnology", "holding_bridge"),
                    ("Channel", "PJSIP/100-1"),
                    unique,
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "lot"),
                    ("BridgeType", "parking"),
                    ("BridgeTechnology", "holding_bridge"),
                    ("Channel", "PJSIP/200-2"),
                    ("Uniqueid", "1.2"),
                ],
            ],
            vec![("bridgeenter", vec![("bridge", "lot"), ("uniqueid", "1.2")])],
        ),
        row(
            "2.x a bridge of the holding_bridge technology joins nobody",
            vec![
                vec![
                    ("Event", "BridgeCreate"),
                    ("BridgeUniqueid", "h2"),
                    ("BridgeTechnology", "holding_bridge"),
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "h2"),
                    ("Channel", "PJSIP/100-1"),
                    unique,
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "h2"),
                    ("Channel", "PJSIP/200-2"),
                    ("Uniqueid", "1.2"),
                ],
            ],
            vec![("bridgeenter", vec![("bridge", "h2"), ("uniqueid", "1.2")])],
        ),
        row(
            "2.x a holding bridge joins nobody",
            vec![
                vec![
                    ("Event", "BridgeCreate"),
                    ("BridgeUniqueid", "h1"),
                    ("BridgeType", "holding"),
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "h1"),
                    ("Channel", "PJSIP/100-1"),
                    unique,
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "h1"),
                    ("Channel", "PJSIP/200-2"),
                    ("Uniqueid", "1.2"),
                ],
            ],
            vec![("bridgeenter", vec![("bridge", "h1"), ("uniqueid", "1.2")])],
        ),
        row(
            "2.x BridgeLeave only drops membership",
            vec![vec![
                ("Event", "BridgeLeave"),
                ("BridgeUniqueid", "b1"),
                ("BridgeNumChannels", "1"),
                ("Channel", "PJSIP/100-1"),
                unique,
            ]],
            vec![(
                "bridgeleave",
                vec![("bridge", "b1"), ("uniqueid", "1.1"), ("numchannels", "1")],
            )],
        ),
        row(
            "2.x BridgeDestroy",
            vec![vec![("Event", "BridgeDestroy"), ("BridgeUniqueid", "b1")]],
            vec![("bridgedestroy", vec![("bridge", "b1")])],
        ),
    ];
    for r in &rows {
        run(r);
    }
}

#[test]
fn local_channel_halves() {
    let rows = vec![
        row(
            "1.x LocalBridge",
            vec![vec![
                ("Event", "LocalBridge"),
                ("Channel1", "Local/a@b-1;1"),
                ("Channel2", "Local/a@b-1;2"),
                ("Uniqueid1", "1.1"),
                ("Uniqueid2", "1.2"),
            ]],
            vec![(
                "localbridge",
                vec![("uniqueid1", "1.1"), ("uniqueid2", "1.2")],
            )],
        ),
        row(
            "2.x LocalBridge (LocalOne/LocalTwo)",
            vec![vec![
                ("Event", "LocalBridge"),
                ("LocalOneChannel", "Local/a@b-1;1"),
                ("LocalOneUniqueid", "1.1"),
                ("LocalTwoChannel", "Local/a@b-1;2"),
                ("LocalTwoUniqueid", "1.2"),
            ]],
            vec![(
                "localbridge",
                vec![("uniqueid1", "1.1"), ("channel2", "Local/a@b-1;2")],
            )],
        ),
    ];
    for r in &rows {
        run(r);
    }
}

#[test]
fn variable() {
    let rows = vec![
        row(
            "VarSet of the trunk variable",
            vec![vec![
                ("Event", "VarSet"),
                ("Channel", "IAX2/pbx2-1"),
                ("Variable", "SIPCALLID"),
                ("Value", "1.1@pbx1"),
                unique,
            ]],
            vec![("sipcallid", vec![("value", "1.1@pbx1")])],
        ),
        row(
            "VarSet of the trunk variable inherited (__SIPCALLID)",
            vec![vec![
                ("Event", "VarSet"),
                ("Channel", "IAX2/pbx2-1"),
                ("Variable", "__SIPCALLID"),
                ("Value", "1.1@pbx1"),
                unique,
            ]],
            vec![("sipcallid", vec![("value", "1.1@pbx1")])],
        ),
        row(
            "VarSet of the trunk variable to (null): Asterisk's none, no value",
            vec![vec![
                ("Event", "VarSet"),
                ("Channel", "IAX2/pbx2-1"),
                ("Variable", "SIPCALLID"),
                ("Value", "(null)"),
                unique,
            ]],
            vec![],
        ),
        row(
            "VarSet of the trunk variable to <none>",
            vec![vec![
                ("Event", "VarSet"),
                ("Channel", "IAX2/pbx2-1"),
                ("Variable", "__SIPCALLID"),
                ("Value", "<none>"),
                unique,
            ]],
            vec![],
        ),
        row(
            "VarSet of the trunk variable to <unknown>",
            vec![vec![
                ("Event", "VarSet"),
                ("Channel", "IAX2/pbx2-1"),
                ("Variable", "SIPCALLID"),
                ("Value", "<unknown>"),
                unique,
            ]],
            vec![],
        ),
        row(
            "VarSet of another variable",
            vec![vec![
                ("Event", "VarSet"),
                ("Channel", "SIP/100-1"),
                ("Variable", "DIALSTATUS"),
                ("Value", "ANSWER"),
                unique,
            ]],
            vec![],
        ),
    ];
    for r in &rows {
        run(r);
    }
}
