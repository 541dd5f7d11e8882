"""Names of AMI events, fields and values, as the 2014 framework spelled them, and
``Event``: one message from a source (its dict) with the logger of that source."""

from __future__ import annotations

import logging
from typing import Any

from hackamore.compat import Logger

# Keywords of the framework itself.
END = "END"
SOURCE = "SOURCE"
TIME = "TIME"

# AMI keywords.
BRIDGE = "Bridge"
CALLERID1 = "CallerID1"
CALLERID2 = "CallerID2"
CALLERIDNUM = "CallerIDNum"
CAUSE = "Cause"
CHANNEL = "Channel"
CHANNEL1 = "Channel1"
CHANNEL2 = "Channel2"
CHANNELSTATE = "ChannelState"
CHANNELSTATEDESC = "ChannelStateDesc"
CONFBRIDGEEND = "ConfbridgeEnd"
CONFBRIDGEJOIN = "ConfbridgeJoin"
CONFBRIDGELEAVE = "ConfbridgeLeave"
CONFBRIDGESTART = "ConfbridgeStart"
CONFERENCE = "Conference"
DESTINATION = "Destination"
DESTUNIQUEID = "DestUniqueID"
EVENT = "Event"
MESSAGE = "Message"
NEWNAME = "Newname"
RESPONSE = "Response"
STATE = "State"
SUBEVENT = "SubEvent"
UNIQUEID1 = "Uniqueid1"
UNIQUEID2 = "Uniqueid2"
UNIQUEIDLC = "Uniqueid"
UNIQUEIDUC = "UniqueID"
VALUE = "Value"
VARIABLE = "Variable"
VARSET = "VarSet"

# AMI values.
AUTHENTICATEDACCEPTED = "Authentication accepted"
BEGIN = "Begin"
DIAL = "Dial"
ERROR = "Error"
GOODBYE = "Goodbye"
HANGUP = "Hangup"
HANGUPREQUEST = "HangupRequest"
LOCALBRIDGE = "LocalBridge"
MUSICONHOLD = "MusicOnHold"
NEWCALLERID = "NewCallerid"
NEWCHANNEL = "Newchannel"
NEWSTATE = "Newstate"
RENAME = "Rename"
SIPCALLID = "SIPCALLID"
SOFTHANGUPREQUEST = "SoftHangupRequest"
START = "Start"
STOP = "Stop"
SUCCESS = "Success"

# Added here: the AMI 2.x+ events compat maps onto the same hooks, and the hook that
# the 2014 framework did not have (a dial's end).
DIALBEGIN = "DialBegin"
DIALEND = "DialEnd"
DIALSTATUS = "DialStatus"
BRIDGECREATE = "BridgeCreate"
BRIDGEENTER = "BridgeEnter"
BRIDGELEAVE = "BridgeLeave"
BRIDGEDESTROY = "BridgeDestroy"
MUSICONHOLDSTART = "MusicOnHoldStart"
MUSICONHOLDSTOP = "MusicOnHoldStop"
HOLD = "Hold"
UNHOLD = "Unhold"
NEWCONNECTEDLINE = "NewConnectedLine"
STATUS = "Status"


class Event:
    """One message: ``event`` is its dict (None allowed), ``logger`` the logger of the
    source it came from (the shared one if none is given)."""

    def __init__(self, event: Any, logger: logging.Logger | None = None) -> None:
        self.logger = Logger.logger() if logger is None else logger
        # The message's fields as a dict (the 2014 class took anything, None included).
        self.event: Any = event

    def __repr__(self) -> str:
        return "Event(" + str(self.event) + ")"
