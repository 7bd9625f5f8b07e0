// Colours, type and sizes shared by the producer console and the host
// monitor: a dark control-room palette in which the tally colours (red =
// on air, green = in preview) are never used for anything else.
pragma Singleton
import QtQuick

QtObject {
    readonly property color background: "#121519"
    readonly property color panel: "#1b1f25"
    readonly property color raised: "#252a32"
    readonly property color line: "#323843"
    readonly property color text: "#e9edf2"
    readonly property color muted: "#8b95a3"
    readonly property color program: "#e2252f"
    readonly property color preview: "#21b04f"
    readonly property color accent: "#4a8cf0"
    readonly property color warning: "#f0a21f"
    readonly property color gold: "#d8ad4f"
    readonly property color question: "#f3c26b"

    readonly property string family: "Noto Sans CJK SC"
    readonly property int small: 12
    readonly property int normal: 14
    readonly property int title: 17
    readonly property int radius: 6
    readonly property int gap: 8
}
