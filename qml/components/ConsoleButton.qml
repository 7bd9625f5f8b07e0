// The console's button: flat, dark, with a strong state colour when it is
// checked (on air, selected) and its keyboard shortcut beside the label.
// Tab reaches it (a clicked button does not keep the keyboard); Space or
// Enter on a focused button presses it instead of cutting.
//
// A ButtonRow makes it denser when a row is short of room: `density` 1
// narrows the padding, 2 drops the shortcut too, and a button narrower
// than that elides its label. widthAt() is its natural width at each.
import QtQuick
import QtQuick.Controls.Basic
import Yishiting 1.0

Button {
    id: button
    property color tint: Style.accent
    property string hint: ""
    property int density: 0
    readonly property bool showsHint: hint !== "" && density < 2

    function widthAt(level) {
        return label.implicitWidth + (hint !== "" && level < 2 ? content.spacing + hintLabel.implicitWidth : 0)
               + 2 * (level > 0 ? 6 : 12)
    }

    font.family: Style.family
    font.pixelSize: Style.normal
    focusPolicy: Qt.TabFocus
    implicitHeight: 32
    leftPadding: density > 0 ? 6 : 12
    rightPadding: leftPadding
    contentItem: Item {
        // From the texts' own widths, not the row's: the label's width
        // follows the button's.
        implicitWidth: label.implicitWidth + (button.showsHint ? content.spacing + hintLabel.implicitWidth : 0)
        implicitHeight: Math.max(label.implicitHeight, hintLabel.implicitHeight)
        Row {
            id: content
            anchors.centerIn: parent
            spacing: 6
            Text {
                id: label
                objectName: "label"
                // Never wider than the button leaves it (then it elides).
                width: Math.min(implicitWidth, button.availableWidth
                                - (button.showsHint ? content.spacing + hintLabel.implicitWidth : 0))
                text: button.text
                textFormat: Text.PlainText
                elide: Text.ElideRight
                font: button.font
                color: button.enabled ? (button.checked ? "white" : Style.text) : Style.muted
                anchors.verticalCenter: parent.verticalCenter
            }
            Text {
                id: hintLabel
                visible: button.showsHint
                text: button.hint
                textFormat: Text.PlainText
                font.family: Style.family
                font.pixelSize: Style.small - 1
                color: button.checked ? "#ddffffff" : Style.muted
                anchors.verticalCenter: parent.verticalCenter
            }
        }
    }
    background: Rectangle {
        radius: Style.radius
        color: button.checked ? button.tint
             : button.down ? Qt.lighter(Style.raised, 1.3)
             : button.hovered ? Qt.lighter(Style.raised, 1.15) : Style.raised
        border.width: button.visualFocus ? 2 : 1
        border.color: button.visualFocus ? Style.accent
                    : button.checked ? Qt.lighter(button.tint, 1.2) : Style.line
    }
}
