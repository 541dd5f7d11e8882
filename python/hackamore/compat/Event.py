"""Names of AMI events and fields, as the old framework spelled them."""

from __future__ import annotations

# Event names.
BRIDGE = "Bridge"
CONFBRIDGEEND = "ConfbridgeEnd"
CONFBRIDGEJOIN = "ConfbridgeJoin"
CONFBRIDGELEAVE = "ConfbridgeLeave"
CONFBRIDGESTART = "ConfbridgeStart"
DIAL = "Dial"
DIALEND = "DialEnd"
END = "END"
HANGUP = "Hangup"
HANGUPREQUEST = "HangupRequest"
LOCALBRIDGE = "LocalBridge"
MUSICONHOLD = "MusicOnHold"
MUSICOFFHOLD = "MusicOffHold"
NEWCALLERID = "NewCallerid"
NEWCHANNEL = "Newchannel"
NEWSTATE = "Newstate"
RENAME = "Rename"
SOFTHANGUPREQUEST = "SoftHangupRequest"
VARSET = "VarSet"
SIPCALLID = "SIPCALLID"

# Field names.
EVENT = "Event"
SOURCE = "SOURCE"
TIME = "TIME"
SUBEVENT = "SubEvent"
BEGIN = "Begin"
START = "Start"
STOP = "Stop"
STATE = "State"
CAUSE = "Cause"
CHANNEL = "Channel"
CHANNEL1 = "Channel1"
CHANNEL2 = "Channel2"
CALLERID1 = "CallerID1"
CALLERID2 = "CallerID2"
CALLERIDNUM = "CallerIDNum"
CHANNELSTATE = "ChannelState"
CHANNELSTATEDESC = "ChannelStateDesc"
CONFERENCE = "Conference"
DESTINATION = "Destination"
DESTUNIQUEID = "DestUniqueID"
NEWNAME = "Newname"
UNIQUEIDLC = "Uniqueid"
UNIQUEIDUC = "UniqueID"
UNIQUEID1 = "Uniqueid1"
UNIQUEID2 = "Uniqueid2"
VARIABLE = "Variable"
VALUE = "Value"

# The hook each model change calls, with the event name a print view shows for it.
NAMES = {
    "bridge": BRIDGE,
    "confbridgeend": CONFBRIDGEEND,
    "confbridgejoin": CONFBRIDGEJOIN,
    "confbridgeleave": CONFBRIDGELEAVE,
    "confbridgestart": CONFBRIDGESTART,
    "dial": DIAL,
    "dialend": DIALEND,
    "end": END,
    "hangup": HANGUP,
    "hanguprequest": HANGUPREQUEST,
    "localbridge": LOCALBRIDGE,
    "musiconhold": MUSICONHOLD,
    "musicoffhold": MUSICOFFHOLD,
    "newcallerid": NEWCALLERID,
    "newchannel": NEWCHANNEL,
    "newstate": NEWSTATE,
    "rename": RENAME,
    "sipcallid": SIPCALLID,
    "softhanguprequest": SOFTHANGUPREQUEST,
}
